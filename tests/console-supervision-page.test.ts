import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/api-client.ts';
import { connectDevice, press, provisionHome } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

/**
 * The board's alarm detail for a silent device, in Chromium: which device, and since when
 * (issue 13, device supervision). Time-compressed: a pendant with heartbeatS 1, sweeps every 0.2 s.
 */
describe('a device.offline alarm on the board (Debian chromium)', () => {
  const { f, track } = useService({ SUPERVISION_SWEEP_S: '0.2' }, 'postgres');
  // uncaught page errors only: console errors are not checked here
  const { signedIn, shot, errors } = useConsoleBrowser(f, { ignoreConsole: false });

  it('shows the silent device and since when it was last heard, in English and Chinese; heard again, restored', async () => {
    const { resident } = await provisionHome(f.api);
    const pendant = await f.api.create('/api/devices', { kind: 'pendant', residentId: resident.id, heartbeatS: 1 });
    const m = await connectDevice(f.service.mqttUrl, pendant);
    await press(m, pendant.id, 'heartbeat');
    m.end(true);
    const alarm = await waitFor(async () => ((await f.api.get('/api/alarms')).body as Array<{ id: string; deviceId: string }>).find((a) => a.deviceId === pendant.id), 15_000);
    const since = (await f.api.get(`/api/alarms/${alarm.id}`)).body.timeline.find((t: { code: string }) => t.code === 'alarm.raised').detail.data.since as string;

    const page = await signedIn(ADMIN.username, ADMIN.password, { english: false, queue: false });
    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="${alarm.id}"]`);
    await row.click();
    const detail = page.locator(`[data-testid="alarm-detail"][data-alarm-id="${alarm.id}"]`);
    await detail.waitFor();
    await expect.poll(() => detail.textContent()).toContain('Device offline');
    expect(await detail.textContent()).toContain(pendant.id);
    const silent = detail.getByTestId('silent-since');
    expect(await silent.getAttribute('datetime')).toBe(since);
    expect(await silent.textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await detail.textContent()).toContain('Silent since');
    await shot(page, 'board-device-offline');
    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => detail.textContent()).toContain('最后收到信号');
    expect(await detail.textContent()).toContain('设备离线');
    await shot(page, 'board-device-offline-zh');
    await page.getByTestId('lang-switch').selectOption('en');

    // heard again: the alarm resolves itself, outcome restored
    const back = track(await connectDevice(f.service.mqttUrl, pendant));
    await press(back, pendant.id, 'heartbeat');
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 10_000 }).toBe('resolved');
    await detail.locator('[data-testid="timeline-entry"][data-code="alarm.restored"]').waitFor();
    expect(await detail.textContent()).toContain('Restored');
    expect(errors).toEqual([]);
  });
});
