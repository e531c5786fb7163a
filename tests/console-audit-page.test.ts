import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/api-client.ts';
import { provisionHome } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { useService } from './helpers/service-fixture.ts';

/** Issue 11: the audit trail's page in the console (admins only), in Debian's Chromium. */
describe('the audit page in a real browser (Debian chromium)', () => {
  const { f } = useService();
  const { signedIn, shot, errors } = useConsoleBrowser(f, { viewport: { width: 1400, height: 800 } });

  it('an admin reads a resident, opens Audit from the header and sees that read (newest first, in both languages); an operator has no Audit link', async () => {
    const { resident } = await provisionHome(f.api);
    const page = await signedIn(ADMIN.username, ADMIN.password);

    // something audited, by this page's own login: reading the resident's record
    // (a string: the tests are typed for Node, not the DOM)
    const status = await page.evaluate(`(async () => {
      const { token } = JSON.parse(sessionStorage.getItem('console.session'));
      return (await fetch('/api/residents/${resident.id}', { headers: { authorization: 'Bearer ' + token } })).status;
    })()`);
    expect(status).toBe(200);

    const nav = page.getByTestId('nav-audit');
    expect(await nav.textContent()).toBe('Audit');
    await nav.click();
    await page.getByTestId('audit-view').waitFor();
    expect(page.url()).toMatch(/#\/audit$/);
    expect(await nav.getAttribute('aria-current')).toBe('page');
    // the default period is the last 24 hours
    const from = new Date(await page.getByTestId('audit-from').inputValue()).getTime();
    const to = new Date(await page.getByTestId('audit-to').inputValue()).getTime();
    expect(to - from).toBe(24 * 3600_000);
    expect(Math.abs(Date.now() - to)).toBeLessThan(2 * 60_000);

    // lines reach the trail within about a second (batched off the request path): "Show" again until it is there
    const read = page.locator(`[data-testid="audit-row"][data-action="read"][data-resource="resident"][data-resource-id="${resident.id}"]`);
    await expect
      .poll(
        async () => {
          if ((await read.count()) === 0) await page.getByTestId('audit-show').click();
          return read.count();
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    const cells = (await read.first().locator('td').allTextContents()).map((s) => s.trim());
    expect(cells[0]).toMatch(/^\d\d:\d\d:\d\d$/); // today: the time of day alone, as everywhere on the page
    expect(cells.slice(1)).toEqual(['admin', 'read', 'resident', resident.id, resident.id, 'GET /api/residents/:id', '200', expect.stringMatching(/127\.0\.0\.1/)]);
    expect(await read.first().getAttribute('data-resident-id')).toBe(resident.id);

    // newest first
    const times = await page.locator('[data-testid="audit-row"] td:first-child').evaluateAll((tds) => tds.map((td) => td.getAttribute('title') ?? ''));
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);
    // the login that opened this page is there too
    expect(await page.locator('[data-testid="audit-row"][data-action="login"]').count()).toBeGreaterThan(0);

    // the resident filter: only what concerned this resident
    await page.getByTestId('audit-resident').fill(resident.id);
    await page.getByTestId('audit-show').click();
    const residentsShown = async () => [...new Set(await page.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-resident-id'))))];
    await expect.poll(residentsShown).toEqual([resident.id]);
    // a user filter that matches nobody: the table empties
    await page.getByTestId('audit-user').fill('00000000-0000-4000-8000-000000000000');
    await page.getByTestId('audit-show').click();
    await page.getByTestId('audit-empty').waitFor();
    // not an id: refused in the page, nothing asked
    await page.getByTestId('audit-user').fill('admin');
    expect(await page.getByTestId('audit-show').isDisabled()).toBe(true);
    await page.getByTestId('audit-clear').click();
    await read.first().waitFor();
    await shot(page, 'audit');

    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => nav.textContent()).toBe('审计日志');
    expect(await page.locator('.audit-table thead th').allTextContents()).toEqual(['时间', '用户', '操作', '对象', '对象 ID', '老人 ID', '请求', '状态码', '来源地址']);
    expect((await read.first().locator('td').allTextContents()).slice(2, 4)).toEqual(['查看', '老人']);
    await shot(page, 'audit-zh');

    // an operator: no Audit link, and #/audit shows the board
    const password = 'Operator-Audit-Page-1';
    await f.api.create('/api/users', { username: 'op-audit-page', password, role: 'operator' });
    const op = await signedIn('op-audit-page', password);
    await op.getByTestId('nav-reports').waitFor();
    expect(await op.getByTestId('nav-audit').count()).toBe(0);
    await op.goto(`${f.service.httpUrl}/#/audit`);
    await op.getByTestId('queue').waitFor();
    expect(await op.getByTestId('audit-view').count()).toBe(0);
    expect(await op.getByTestId('nav-audit').count()).toBe(0);
    await shot(op, 'audit-operator-header');

    expect(errors).toEqual([]);
  }, 90_000);
});

describe('the audit page\'s query (views/audit/audit-query.ts)', () => {
  it('defaults to the last 24 hours; the "to" minute is included; ids are UUIDs or nothing', async () => {
    const { auditUrl, defaultAuditQuery, validAuditRange, validId, AUDIT_LIMIT } = await import('../dispatch-console/web/src/views/audit/audit-query.ts');
    const now = new Date(2026, 11, 4, 9, 30, 45);
    const q = defaultAuditQuery(now);
    expect(q).toEqual({ from: '2026-12-03T09:30', to: '2026-12-04T09:30', userId: '', residentId: '' });
    expect(validAuditRange(q)).toBe(true);
    expect(validAuditRange({ ...q, from: q.to, to: q.from })).toBe(false);
    expect(validAuditRange({ ...q, to: '' })).toBe(false);
    const url = new URL(auditUrl(q), 'http://x');
    expect(url.pathname).toBe('/api/audit');
    expect(url.searchParams.get('from')).toBe(new Date(2026, 11, 3, 9, 30).toISOString());
    expect(url.searchParams.get('to')).toBe(new Date(2026, 11, 4, 9, 31).toISOString());
    expect(url.searchParams.get('limit')).toBe(String(AUDIT_LIMIT));
    expect(url.searchParams.has('userId')).toBe(false);
    const id = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    const filtered = new URL(auditUrl({ ...q, userId: ` ${id} `, residentId: id }), 'http://x');
    expect(filtered.searchParams.get('userId')).toBe(id.toLowerCase());
    expect(filtered.searchParams.get('residentId')).toBe(id.toLowerCase());
    expect(validId('')).toBe(true);
    expect(validId(id)).toBe(true);
    expect(validId('admin')).toBe(false);
  });
});
