import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/api-client.ts';
import { alertOf, connectDevice, connectWearable, press } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { connect, waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

const PATH = 'Xicheng / Financial St / Jade Garden';
const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const hourOf = (d: Date) => `${pad(d.getHours())}:00`;
const ACCESS = 'Key safe by the door, code 2468';

/**
 * Issue 12 item 2: a centre set up with the administration pages alone, in Debian's Chromium —
 * the area tree, a resident with access information and a contact, a pendant whose secret (read
 * from the dialog) logs in over real MQTT, a caregiver with a wearable and a grid, an operator
 * bound to the community; the pendant disabled on the page is refused; a removal refused with
 * the server's reason; the pages in Chinese. Screenshots of each page.
 */
describe('the administration pages in a real browser (Debian chromium)', () => {
  const { f, track } = useService();
  const { signedIn, shot, errors } = useConsoleBrowser(f, {
    viewport: { width: 1400, height: 900 },
    // refusals the test provokes (409, 400) are logged by the browser as failed requests
    ignoreConsole: /\((Unauthorized|Conflict|Bad Request)\)/,
    // confirm() before removing or rotating: yes
    acceptDialogs: true,
    shotPrefix: 'setup-',
    fullPage: true,
  });
  const tab = async (page: Page, name: string) => {
    await page.getByTestId(`setup-tab-${name}`).click();
    await page.getByTestId(`${name}-page`).waitFor();
  };
  const areaRow = (page: Page, name: string) => page.locator(`[data-testid="area-row"][data-name="${name}"]`);
  async function addArea(page: Page, parent: string | null, name: string) {
    if (parent === null) await page.getByTestId('area-add-district').click();
    else await areaRow(page, parent).getByTestId('area-add-child').click();
    await page.getByTestId('area-name').fill(name);
    await page.getByTestId('area-save').click();
    await areaRow(page, name).waitFor();
  }
  /** The secret in the dialog, which is then closed. */
  async function secretFromDialog(page: Page, screenshot?: string): Promise<{ id: string; secret: string }> {
    const dialog = page.getByTestId('secret-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('cannot be shown again');
    if (screenshot) await shot(page, screenshot);
    const id = (await page.getByTestId('secret-device').textContent())!;
    const secret = await page.getByTestId('secret-value').inputValue();
    await page.getByTestId('secret-done').click();
    await dialog.waitFor({ state: 'detached' });
    return { id, secret };
  }

  it('sets up a centre from an empty database with the pages alone, in English and Chinese', async () => {
    const page = await signedIn(ADMIN.username, ADMIN.password);
    await page.getByTestId('nav-setup').click();
    await page.getByTestId('setup').waitFor();

    // Areas: district → street → community → grid, each kind following its parent
    await tab(page, 'areas');
    await addArea(page, null, 'Xicheng');
    await addArea(page, 'Xicheng', 'Financial St');
    await addArea(page, 'Financial St', 'Jade Garden');
    await addArea(page, 'Jade Garden', 'Grid 1');
    await addArea(page, 'Financial St', 'Pine Court');
    await addArea(page, 'Pine Court', 'Grid 9');
    expect(await areaRow(page, 'Grid 1').getAttribute('data-kind')).toBe('grid');
    expect(await areaRow(page, 'Jade Garden').getAttribute('data-kind')).toBe('community');
    // rename, then move Grid 9 from Pine Court to Jade Garden
    await areaRow(page, 'Grid 9').getByTestId('area-rename').click();
    await page.getByTestId('area-name').fill('Grid 2');
    await page.getByTestId('area-save').click();
    await areaRow(page, 'Grid 2').waitFor();
    await areaRow(page, 'Grid 2').getByTestId('area-move').click();
    await page.getByTestId('area-parent').selectOption({ label: PATH });
    await page.getByTestId('area-save').click();
    const areas = await waitFor(async () => {
      const list = (await f.api.get('/api/areas')).body as { id: string; name: string; parentId: string | null }[];
      const byName = new Map(list.map((a) => [a.name, a]));
      return byName.get('Grid 2')?.parentId === byName.get('Jade Garden')?.id && byName;
    });
    await shot(page, 'areas');

    // Residents: one with access information (its own field) and a family contact
    await tab(page, 'residents');
    await page.getByTestId('resident-new').click();
    await page.getByTestId('resident-name').fill('Huang Xueying');
    await page.getByTestId('resident-grid').selectOption({ label: `${PATH} / Grid 1` });
    await page.getByTestId('resident-address').fill('12 Jade Lane');
    await page.getByTestId('resident-phone').fill('+8613800000000');
    await page.getByTestId('resident-access').fill(ACCESS);
    await page.getByTestId('resident-notes').fill('diabetic');
    await page.getByTestId('contact-add').click();
    await page.getByTestId('contact-name').fill('Huang Wei');
    await page.getByTestId('contact-phone').fill('+8613900000009');
    await page.getByTestId('contact-relation').fill('son');
    await page.getByTestId('resident-save').click();
    await page.getByTestId('resident-saved').waitFor();
    const residents = (await f.api.get('/api/residents')).body as { id: string; name: string; areaId: string; accessInfo: string; notes: string; contacts: unknown[] }[];
    expect(residents).toHaveLength(1);
    const resident = residents[0]!;
    expect(resident).toMatchObject({ name: 'Huang Xueying', areaId: areas.get('Grid 1')!.id, accessInfo: ACCESS, notes: 'diabetic' });
    expect(resident.contacts).toEqual([{ name: 'Huang Wei', phone: '+8613900000009', relation: 'son' }]);
    // the list filters by grid and links to the record
    await page.getByTestId('resident-filter').fill('grid 1');
    expect(await page.getByTestId('resident-row').count()).toBe(1);
    expect(await page.getByTestId('resident-record-link').getAttribute('href')).toBe(`#/setup/residents/${resident.id}`);
    await page.getByTestId('resident-filter').fill('nobody');
    await page.getByTestId('resident-row').waitFor({ state: 'detached' });
    await page.getByTestId('resident-filter').fill('');
    await shot(page, 'residents');

    // Devices: a pendant for her; its secret, read from the dialog, logs in over MQTT
    await tab(page, 'devices');
    await page.getByTestId('device-kind').selectOption('pendant');
    await page.getByTestId('device-resident').selectOption({ label: 'Huang Xueying' });
    await page.getByTestId('device-create').click();
    const pendant = await secretFromDialog(page, 'device-secret');
    const login = { username: pendant.id, password: pendant.secret, clientId: pendant.id };
    const client = track(await connect(f.service.mqttUrl, login));
    expect(client.connected).toBe(true);
    await page.getByTestId('device-kind').selectOption('wearable');
    expect(await page.getByTestId('device-resident').isDisabled()).toBe(true);
    await page.getByTestId('device-create').click();
    const wearable = await secretFromDialog(page);
    await page.locator(`[data-testid="device-row"][data-id="${wearable.id}"]`).waitFor();
    // the resident's form lists her pendant
    await tab(page, 'residents');
    await page.getByTestId('resident-edit').click();
    await page.getByTestId('resident-device').filter({ hasText: pendant.id }).waitFor();
    expect(await page.getByTestId('resident-access').inputValue()).toBe(ACCESS);

    // Caregivers: one with the wearable and the grid
    await tab(page, 'caregivers');
    await page.getByTestId('caregiver-new').click();
    await page.getByTestId('caregiver-name').fill('Li Na');
    await page.getByTestId('caregiver-phone').fill('+8613700000001');
    await page.getByTestId('caregiver-wearable').selectOption(wearable.id);
    await page.locator('[data-testid="caregiver-area"][data-name="Grid 1"]').check();
    await page.getByTestId('caregiver-role').selectOption('caregiver');
    await page.getByTestId('caregiver-save').click();
    await page.getByTestId('caregiver-saved').waitFor();
    const caregivers = (await f.api.get('/api/caregivers')).body as { id: string; name: string; wearableId: string; areaIds: string[] }[];
    expect(caregivers).toMatchObject([{ name: 'Li Na', wearableId: wearable.id, areaIds: [areas.get('Grid 1')!.id] }]);
    expect(await page.getByTestId('caregiver-rota').getAttribute('href')).toBe(`#/setup/duty/${caregivers[0]!.id}`);
    await shot(page, 'caregivers');

    // Staff: a weak password is refused with the server's rules, then an operator bound to the community
    await tab(page, 'users');
    await page.getByTestId('user-new').click();
    await page.getByTestId('user-username').fill('op-jade');
    await page.getByTestId('user-password').fill('short');
    await page.getByTestId('user-role').selectOption('operator');
    await page.getByTestId('user-area').selectOption({ label: PATH });
    await page.getByTestId('user-save').click();
    const weak = page.getByTestId('user-form').getByTestId('admin-error');
    await weak.waitFor();
    expect(await weak.textContent()).toContain('at least 12 characters');
    await page.getByTestId('user-password').fill('Jade-garden-desk-7');
    await page.getByTestId('user-save').click();
    await page.locator('[data-testid="user-row"][data-name="op-jade"]').waitFor();
    const users = (await f.api.get('/api/users')).body as { username: string; role: string; areaId: string | null }[];
    expect(users.find((u) => u.username === 'op-jade')).toMatchObject({ role: 'operator', areaId: areas.get('Jade Garden')!.id });
    await shot(page, 'users');

    // Devices: the pendant disabled on the page is dropped and refused
    await tab(page, 'devices');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const row = page.locator(`[data-testid="device-row"][data-id="${pendant.id}"]`);
    await row.getByTestId('device-disable').click();
    await page.locator(`[data-testid="device-row"][data-id="${pendant.id}"][data-disabled="true"]`).waitFor();
    await closed;
    await expect(connect(f.service.mqttUrl, login)).rejects.toMatchObject({ code: 5 });
    await shot(page, 'devices');
    // an admin rotates a secret: the new one is shown once, and works once enabled again
    await row.getByTestId('device-enable').click();
    await page.locator(`[data-testid="device-row"][data-id="${pendant.id}"][data-disabled="false"]`).waitFor();
    await row.getByTestId('device-rotate').click();
    const rotated = await secretFromDialog(page);
    expect(rotated.secret).not.toBe(pendant.secret);
    track(await connect(f.service.mqttUrl, { ...login, password: rotated.secret }));

    // the operator bound to Jade Garden: its subtree only, no Staff tab, no secret rotation
    const op = await signedIn('op-jade', 'Jade-garden-desk-7');
    await op.getByTestId('nav-setup').click();
    await tab(op, 'areas');
    await areaRow(op, 'Grid 2').waitFor();
    expect(await op.getByTestId('area-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['Jade Garden', 'Grid 1', 'Grid 2']);
    expect(await op.getByTestId('setup-tab-users').count()).toBe(0);
    await tab(op, 'devices');
    await op.locator(`[data-testid="device-row"][data-id="${pendant.id}"]`).waitFor();
    expect(await op.getByTestId('device-rotate').count()).toBe(0);
    await op.context().close();

    // a removal refused, with the server's reason
    await tab(page, 'areas');
    await areaRow(page, 'Grid 1').getByTestId('area-remove').click();
    const refused = page.getByTestId('admin-error');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('1 resident(s)');
    await areaRow(page, 'Pine Court').getByTestId('area-remove').click();
    await areaRow(page, 'Pine Court').waitFor({ state: 'detached' });

    // 中文
    await page.getByTestId('lang-switch').selectOption('zh');
    expect(await page.getByTestId('setup-tab-areas').textContent()).not.toBe('Areas');
    expect(await page.locator('.area-kind').first().textContent()).toBe('区');
    await areaRow(page, 'Grid 1').getByTestId('area-remove').click();
    await page.getByTestId('admin-error').filter({ hasText: '1 位老人' }).waitFor();
    await shot(page, 'areas-zh');
    await tab(page, 'devices');
    expect(await page.getByTestId('device-create').textContent()).toBe('开通');
    await tab(page, 'residents');
    await page.getByTestId('resident-edit').click();
    expect(await page.getByTestId('resident-form').textContent()).toContain('入户方式');
    await shot(page, 'residents-zh');
    expect(errors).toEqual([]);
  });

  it("sees an alarm go through a centre set up on the pages: a rota made on the Duty page puts the caregiver on duty, a press with the pendant's secret reaches their wrist and the board, and the resident's record shows it", async () => {
    const page = await signedIn(ADMIN.username, ADMIN.password);
    await page.getByTestId('nav-setup').click();
    await tab(page, 'areas');
    await addArea(page, null, 'Dongcheng');
    await addArea(page, 'Dongcheng', 'Bell St');
    await addArea(page, 'Bell St', 'Drum Court');
    await addArea(page, 'Drum Court', 'Grid A');

    await tab(page, 'residents');
    await page.getByTestId('resident-new').click();
    await page.getByTestId('resident-name').fill('Zhang Min');
    await page.getByTestId('resident-grid').selectOption({ label: 'Dongcheng / Bell St / Drum Court / Grid A' });
    await page.getByTestId('resident-address').fill('3 Drum Lane');
    await page.getByTestId('resident-access').fill('key safe 1357');
    await page.getByTestId('resident-save').click();
    await page.getByTestId('resident-saved').waitFor();

    await tab(page, 'devices');
    await page.getByTestId('device-kind').selectOption('pendant');
    await page.getByTestId('device-resident').selectOption({ label: 'Zhang Min' });
    await page.getByTestId('device-create').click();
    const pendant = await secretFromDialog(page);
    await page.getByTestId('device-kind').selectOption('wearable');
    await page.getByTestId('device-create').click();
    const wearable = await secretFromDialog(page);

    await tab(page, 'caregivers');
    await page.getByTestId('caregiver-new').click();
    await page.getByTestId('caregiver-name').fill('Wang Fang');
    await page.getByTestId('caregiver-phone').fill('+8613700000002');
    await page.getByTestId('caregiver-wearable').selectOption(wearable.id);
    await page.locator('[data-testid="caregiver-area"][data-name="Grid A"]').check();
    await page.getByTestId('caregiver-save').click();
    await page.getByTestId('caregiver-saved').waitFor();

    // her rota, on the Duty page reached from her record: every day, covering now
    await page.locator('[data-testid="caregiver-row"][data-name="Wang Fang"]').getByTestId('caregiver-rota').click();
    await page.getByTestId('rotas-empty').waitFor();
    const now = new Date();
    const rota = page.getByTestId('rota-new');
    await rota.getByTestId('rota-start').fill(hourOf(new Date(now.getTime() - 3600_000)));
    await rota.getByTestId('rota-end').fill(hourOf(new Date(now.getTime() + 3 * 3600_000)));
    await rota.getByTestId('rota-from').fill(localDate(new Date(now.getTime() - 86_400_000)));
    await rota.getByTestId('rota-save').click();
    await page.locator('[data-testid="rota"]').first().waitFor();
    await shot(page, 'duty-rota');
    const onDuty = await waitFor(async () => {
      const grids = (await f.api.get('/api/on-duty')).body as { name: string; caregivers: { name: string }[] }[];
      return grids.find((g) => g.name === 'Grid A' && g.caregivers.some((c) => c.name === 'Wang Fang'));
    }, 10_000);
    expect(onDuty).toBeDefined();

    // the devices, with the secrets the page showed, over real MQTT
    const wrist = track(await connectWearable(f.service.mqttUrl, wearable));
    const button = track(await connectDevice(f.service.mqttUrl, pendant));
    await page.getByTestId('nav-board').click();
    await page.getByTestId('queue').waitFor();
    const alert = alertOf(wrist, wearable.id, 15_000);
    await press(button, pendant.id);
    const got = await alert;
    expect(got.resident.name).toBe('Zhang Min');
    expect(got.resident.accessInfo).toBe('key safe 1357');
    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="${got.alarmId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await shot(page, 'board-alarm');

    // from the alarm to her record: the alarm and the activity chart
    await row.click();
    await page.locator(`[data-testid="alarm-detail"][data-alarm-id="${got.alarmId}"]`).getByTestId('resident-record-link').click();
    const record = page.getByTestId('resident-record');
    await expect.poll(() => record.getByTestId('record-name').textContent(), { timeout: 15_000 }).toBe('Zhang Min');
    await record.locator(`[data-testid="record-alarm"][data-alarm-id="${got.alarmId}"]`).waitFor();
    await record.locator('svg[data-testid="activity-chart"]').waitFor();
    await shot(page, 'record');
    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => record.getByTestId('record-alarms').textContent()).toContain('接单用时');
    await shot(page, 'record-zh');
    expect(errors).toEqual([]);
  });
});
