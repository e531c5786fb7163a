import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/api-client.ts';
import { provisionHome } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { useService } from './helpers/service-fixture.ts';

const pad = (n: number) => String(n).padStart(2, '0');
// local time: the service reads rotas in its TZ and Chromium shows the browser's, both this machine's
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localMinute = (d: Date) => `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
const hourOf = (d: Date) => `${pad(d.getHours())}:00`;
const RED = 'rgb(179, 20, 28)'; // --red in styles/base.css

/** Issue 12: the Duty page (#/setup/duty) against the real duty API, in Debian's Chromium. */
describe('the duty page in a real browser (Debian chromium)', () => {
  const { f } = useService();
  const { signedIn, shot, errors } = useConsoleBrowser(f, {
    viewport: { width: 1500, height: 1000 },
    // 4xx answers the page shows itself are logged by Chromium as failed resources: not page errors
    ignoreConsole: /the server responded with a status of 4\d\d/,
  });

  /** The grid's cell for the hour we are in (read at "now" by the page). */
  const nowCell = (page: Page, gridId: string): Locator => page.locator(`[data-testid="duty-row"][data-area-id="${gridId}"] td.duty-now`);
  const stateOf = (cell: Locator) => cell.getAttribute('data-state');
  /** Screenshots once every answer is in (no table drawn faded while it is read again). */
  const settled = (page: Page) => expect.poll(() => page.locator('.duty-table.stale, .duty-table [data-state="unknown"]').count()).toBe(0);
  // the page's window, typed by hand: the tests are typed for Node, not the DOM
  const backgroundOf = (cell: Locator) =>
    cell.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);

  it('shows today per grid and hour with the gap in red; a rota added on the page covers now, an absence uncovers it again with the gap warning; week view; operators edit too; in Chinese', async () => {
    const { grid } = await provisionHome(f.api);
    const caregiver = await f.api.create('/api/caregivers', { name: 'Li Na', phone: '+8613700000001', areaIds: [grid.id], role: 'caregiver' });
    const page = await signedIn(ADMIN.username, ADMIN.password);

    // today is the default view; nobody covers the grid: its cell now is red
    const day0 = Date.now();
    await page.goto(`${f.service.httpUrl}/#/setup/duty`);
    await page.getByTestId('duty-view').waitFor();
    await page.getByTestId('duty-row').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="duty-day"] [data-state="unknown"]').count(), { timeout: 30_000 }).toBe(0);
    const dayMs = Date.now() - day0;
    expect(await page.getByTestId('duty-view').getAttribute('data-mode')).toBe('day');
    expect(await page.getByTestId('duty-day').getAttribute('data-date')).toBe(localDate(new Date()));
    const cell = nowCell(page, grid.id);
    await expect.poll(() => stateOf(cell)).toBe('gap');
    expect(await backgroundOf(cell)).toBe(RED);
    expect(await page.locator(`[data-testid="duty-row"][data-area-id="${grid.id}"] [data-testid="duty-cell"]`).count()).toBe(24);
    expect(await page.locator(`[data-testid="duty-row"][data-area-id="${grid.id}"] .duty-grid-place`).textContent()).toBe('Xicheng › Financial St › Jade Garden');

    // choose the caregiver: #/setup/duty/<id> opens their rotas and absences
    await page.getByTestId('duty-caregiver').selectOption(caregiver.id);
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/setup/duty/${caregiver.id}$`));
    await page.getByTestId('rotas-empty').waitFor();
    expect(await page.getByTestId('duty-no-areas').count()).toBe(0); // she answers for Grid 1

    // a rota covering now, every day, from yesterday (so a shift that began before midnight counts too)
    const now = new Date();
    const rota = page.getByTestId('rota-new');
    await rota.getByTestId('rota-start').fill(hourOf(new Date(now.getTime() - 3600_000)));
    await rota.getByTestId('rota-end').fill(hourOf(new Date(now.getTime() + 3 * 3600_000)));
    await rota.getByTestId('rota-from').fill(localDate(new Date(now.getTime() - 86_400_000)));
    await rota.getByTestId('rota-save').click();
    await page.locator('[data-testid="rota"]').first().waitFor();
    await expect.poll(() => stateOf(cell), { timeout: 15_000 }).toBe('covered');
    expect(await cell.getAttribute('data-names')).toBe('Li Na');
    expect(await cell.textContent()).toBe('Li Na');
    // a 4-hour rota leaves the rest of the week uncovered: the server's gaps are listed in red
    await page.getByTestId('duty-gaps').waitFor();
    const rotas = (await f.api.get(`/api/rotas?caregiverId=${caregiver.id}`)).body;
    expect(rotas).toHaveLength(1);
    expect(rotas[0]).toMatchObject({ caregiverId: caregiver.id, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: hourOf(new Date(now.getTime() - 3600_000)), until: null });
    await settled(page);
    await shot(page, 'duty-day', { fullPage: true });

    // an absence from five minutes ago: nobody again, and the warning names the grid
    const absence = page.getByTestId('absence-new');
    await absence.getByTestId('absence-start').fill(localMinute(new Date(Date.now() - 5 * 60_000)));
    await absence.getByTestId('absence-end').fill(localMinute(new Date(Date.now() + 6 * 3600_000)));
    await absence.getByTestId('absence-reason').selectOption('sickness');
    const absent = Date.now();
    await absence.getByTestId('absence-add').click();
    await page.locator('[data-testid="absence"]').first().waitFor();
    await expect.poll(() => stateOf(cell), { timeout: 15_000 }).toBe('gap');
    expect(await backgroundOf(cell)).toBe(RED);
    // the absence's answer: the grid is uncovered from now (the rota's answer had it from the rota's end)
    const gapNow = page.locator(`[data-testid="duty-gap"][data-area-id="${grid.id}"]`).first();
    await expect.poll(async () => Math.abs(Date.parse((await gapNow.getAttribute('data-from')) ?? '') - absent)).toBeLessThan(60_000);
    expect(await gapNow.textContent()).toMatch(/^Grid 1: .+ to .+$/);
    expect(await page.locator('[data-testid="absence"] td').nth(2).textContent()).toBe('Sickness');
    await settled(page);
    await shot(page.getByTestId('duty-editor'), 'duty-editor');

    // the week: 7 days of hour bars; today's bar has its gaps counted, a day's header opens that day
    const week0 = Date.now();
    await page.getByTestId('duty-mode-week').click();
    const today = page.locator(`[data-testid="duty-row"][data-area-id="${grid.id}"] [data-testid="duty-daybar"][data-date="${localDate(new Date())}"]`);
    await today.waitFor();
    await expect.poll(() => page.locator('.duty-seg.duty-unknown').count(), { timeout: 30_000 }).toBe(0);
    const weekMs = Date.now() - week0;
    expect(await page.locator(`[data-testid="duty-row"][data-area-id="${grid.id}"] .duty-seg`).count()).toBe(168);
    expect(Number(await today.getAttribute('data-gap-hours'))).toBeGreaterThan(0);
    expect(weekMs).toBeLessThan(30_000);
    await settled(page);
    await shot(page, 'duty-week', { fullPage: true });
    await page.getByTestId('duty-next').click();
    await page.getByTestId('duty-today').click();
    await page.locator(`[data-testid="duty-week-day"][data-date="${localDate(new Date())}"]`).click();
    await expect.poll(() => page.getByTestId('duty-view').getAttribute('data-mode')).toBe('day');
    await expect.poll(() => stateOf(cell)).toBe('gap');

    // Chinese: the same page in the other catalogue
    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => page.getByTestId('duty-mode-week').textContent()).toBe('周');
    expect(await page.locator('.duty-toolbar .panel-title').textContent()).toBe('值班');
    expect(await page.locator('[data-testid="duty-gaps"] strong').textContent()).toMatch(/^无人值班/);
    expect(await cell.getAttribute('title')).toMatch(/无人值班/);
    await settled(page);
    await shot(page, 'duty-zh', { fullPage: true });

    // an operator may edit too: they open the caregiver by the link and remove the absence
    const password = 'Operator-Duty-Page-1';
    await f.api.create('/api/users', { username: 'op-duty-page', password, role: 'operator' });
    const op = await signedIn('op-duty-page', password);
    await op.goto(`${f.service.httpUrl}/#/setup/duty/${caregiver.id}`);
    await op.getByTestId('duty-editor-body').waitFor();
    await op.getByTestId('absence-delete').click();
    await op.getByTestId('absence-delete-confirm').click();
    await op.getByTestId('absences-empty').waitFor();
    await expect.poll(() => stateOf(nowCell(op, grid.id)), { timeout: 15_000 }).toBe('covered');
    // …edit the rota (PATCH: one more hour at the end, weekdays only) and then delete it
    const saved = op.locator(`[data-testid="rota"][data-rota-id="${rotas[0].id}"]`);
    expect(await saved.getByTestId('rota-save').isDisabled()).toBe(true); // nothing changed yet
    const later = hourOf(new Date(now.getTime() + 4 * 3600_000));
    await saved.getByTestId('rota-end').fill(later);
    await saved.getByTestId('rota-day-sat').uncheck();
    await saved.getByTestId('rota-day-sun').uncheck();
    await saved.getByTestId('rota-save').click();
    await expect.poll(async () => (await f.api.get(`/api/rotas/${rotas[0].id}`)).body.end).toBe(later);
    expect((await f.api.get(`/api/rotas/${rotas[0].id}`)).body.days).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);
    await expect.poll(() => saved.getByTestId('rota-save').isDisabled()).toBe(true);
    await saved.getByTestId('rota-delete').click();
    await saved.getByTestId('rota-delete-confirm').click();
    await op.getByTestId('rotas-empty').waitFor();
    expect((await f.api.get(`/api/rotas?caregiverId=${caregiver.id}`)).body).toEqual([]);
    await expect.poll(() => stateOf(nowCell(op, grid.id)), { timeout: 15_000 }).toBe('gap');

    expect(errors).toEqual([]);
    // the hourly answers' cost, for the note
    process.stderr.write(`duty page: day view (24 answers) shown in ${dayMs} ms, week view (144 more) in ${weekMs} ms\n`);
  }, 120_000);

  it('says so when the browser keeps another time zone than the service, and not when they agree', async () => {
    const service = (await f.api.get('/api/service')).body.timeZone as string;
    const other = service === 'Asia/Shanghai' ? 'America/New_York' : 'Asia/Shanghai';
    const away = await signedIn(ADMIN.username, ADMIN.password, { timezoneId: other });
    await away.goto(`${f.service.httpUrl}/#/setup/duty`);
    const warning = away.getByTestId('duty-tz-warning');
    await expect.poll(() => warning.textContent()).toContain(`keeps ${other} time, the service ${service}`);
    const home = await signedIn(ADMIN.username, ADMIN.password);
    const answered = home.waitForResponse((r) => r.url().endsWith('/api/service'));
    await home.goto(`${f.service.httpUrl}/#/setup/duty`);
    await answered;
    await home.getByTestId('duty-view').waitFor();
    expect(await home.getByTestId('duty-tz-warning').count()).toBe(0);
  });

  it('while open it asks again only the hour we are in every minute, and everything every 10 minutes', async () => {
    await provisionHome(f.api);
    const page = await signedIn(ADMIN.username, ADMIN.password);
    // the page's timers under Playwright's clock (time still flows; fastForward jumps)
    await page.clock.install();
    await page.reload();
    await page.getByTestId('queue').waitFor();
    const asked: string[] = [];
    page.on('request', (r) => void (r.url().includes('/api/on-duty') && asked.push(new URL(r.url()).searchParams.get('at') ?? '')));
    await page.goto(`${f.service.httpUrl}/#/setup/duty`);
    await page.getByTestId('duty-row').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="duty-day"] [data-state="unknown"]').count()).toBe(0);
    expect(asked).toHaveLength(24);
    expect(new Set(asked).size).toBe(24);

    // a minute on: the hour we are in, read at the new "now" (two if the hour turned meanwhile)
    await page.clock.fastForward(60_000);
    await expect.poll(() => asked.length).toBeGreaterThan(24);
    await page.clock.runFor(1000);
    expect(asked.length).toBeLessThanOrEqual(26);
    // ten minutes on: the whole day again
    const before = asked.length;
    await page.clock.fastForward(10 * 60_000);
    await expect.poll(() => asked.length - before, { timeout: 15_000 }).toBeGreaterThanOrEqual(24);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("the duty page's calendar and rows (views/duty)", () => {
  it('hours, weeks from Monday, the hour we are in read at now', async () => {
    const { addDays, atHour, isNowCell, sampleInstant, weekDates, weekDayOf, weekStart, fromLocalMinute, minuteLabel } = await import('../dispatch-console/web/src/views/duty/duty-time.ts');
    expect(weekStart('2026-12-04')).toBe('2026-11-30'); // a Friday → its Monday
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
    expect(weekStart('2026-12-06')).toBe('2026-11-30'); // Sunday ends the week
    expect(weekDates('2026-12-28')).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekDayOf('2026-12-06')).toBe('sun');
    const now = new Date(2026, 11, 4, 9, 40, 12);
    expect(sampleInstant('2026-12-04', 9, now)).toBe(now);
    expect(sampleInstant('2026-12-04', 10, now)).toEqual(atHour('2026-12-04', 10));
    expect(sampleInstant('2026-12-05', 9, now)).toEqual(new Date(2026, 11, 5, 9));
    expect(isNowCell('2026-12-04', 9, now)).toBe(true);
    expect(isNowCell('2026-12-04', 8, now)).toBe(false);
    expect(fromLocalMinute('2026-12-04T09:40')).toEqual(new Date(2026, 11, 4, 9, 40));
    expect(fromLocalMinute('')).toBeUndefined();
    expect(minuteLabel(new Date(2026, 11, 4, 21, 5, 59), now)).toBe('21:05');
    expect(minuteLabel(new Date(2026, 11, 5, 8, 0), now)).toBe('12-05 08:00');
  });

  it('a row per grid from the answers; nobody is a gap, an answer not come yet is unknown', async () => {
    const { dutyRows, coveredHours } = await import('../dispatch-console/web/src/views/duty/duty-grid.ts');
    const areas = [
      { id: 'd', name: 'District', kind: 'district', parentId: null },
      { id: 'c', name: 'Community', kind: 'community', parentId: 'd' },
      { id: 'g1', name: 'Grid B', kind: 'grid', parentId: 'c' },
      { id: 'g2', name: 'Grid A', kind: 'grid', parentId: 'c' },
    ];
    const zoe = { id: 'z', name: 'Zoe', until: null, wearableOnline: true };
    const amy = { id: 'a', name: 'Amy', until: null, wearableOnline: false };
    const rows = dutyRows(
      [
        [
          { areaId: 'g1', name: 'Grid B', caregivers: [zoe, amy] },
          { areaId: 'g2', name: 'Grid A', caregivers: [] },
        ],
        undefined,
        [{ areaId: 'g1', name: 'Grid B', caregivers: [] }],
      ],
      areas,
    );
    expect(rows.map((r) => [r.areaId, r.place])).toEqual([
      ['g2', 'District › Community'],
      ['g1', 'District › Community'],
    ]);
    expect(rows[1]!.cells).toEqual([[{ id: 'a', name: 'Amy' }, { id: 'z', name: 'Zoe' }], undefined, []]);
    expect(rows[0]!.cells).toEqual([[], undefined, undefined]);
    expect(coveredHours(rows[1]!.cells)).toEqual({ covered: 1, known: 2 });
  });
});
