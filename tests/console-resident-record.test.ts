import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { insertEvents, type EventRow } from '../db/queries/events.ts';
import { ADMIN } from './helpers/api-client.ts';
import { ack, alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { publish } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

/** Six days of an ordinary life in the browser's time: up at seven, about the flat all day, in bed by ten. */
function pastWeek(sensors: { motion: string; door: string; bed: string }): EventRow[] {
  const rows: EventRow[] = [];
  const add = (deviceId: string, type: string, at: Date) => {
    const eventId = `past-${rows.length}`;
    rows.push({ deviceId, eventId, fingerprint: createHash('sha256').update(eventId).digest('hex'), type, deviceTs: undefined, receivedAt: at, data: {} });
  };
  for (let d = 6; d >= 1; d--) {
    const day = new Date();
    day.setDate(day.getDate() - d);
    const at = (h: number, m = 0) => new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, m);
    add(sensors.bed, 'bed.exit', at(7, 5));
    for (let h = 7; h < 22; h++) for (let m = 10; m < 60; m += 15 + ((h + d) % 3) * 10) add(sensors.motion, 'motion', at(h, m));
    add(sensors.door, 'door.opened', at(9, 30));
    add(sensors.door, 'door.closed', at(9, 31));
    add(sensors.door, 'door.opened', at(16, 45));
    add(sensors.door, 'door.closed', at(16, 46));
    add(sensors.bed, 'bed.enter', at(22, 10));
  }
  return rows;
}

describe('the resident record in a real browser (Debian chromium)', () => {
  const { f, track } = useService({}, 'embedded');
  const { open, logIn, shot, errors } = useConsoleBrowser(f, { viewport: { width: 1280, height: 1100 }, fullPage: true });
  let page: Page;
  beforeAll(async () => {
    page = await open();
  });

  it('opens from the alarm on the board: the alarm with its response times and outcome, the devices, and a week of activity as a chart', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    const [li] = centre.caregivers;
    expect((await f.api.patch(`/api/residents/${centre.resident.id}`, { accessInfo: 'key safe left of the door, code 4711' })).status).toBe(200);
    const sensor = async (kind: string) => (await f.api.create('/api/devices', { kind, residentId: centre.resident.id })) as { id: string; secret: string };
    const motion = await sensor('motion_sensor');
    const door = await sensor('door_sensor');
    const bed = await sensor('bed_sensor');
    await insertEvents(f.service.db, pastWeek({ motion: motion.id, door: door.id, bed: bed.id }));
    // today's events over real MQTT (a PUBACK means stored); none that a care rule turns into an alarm at night
    const m = track(await connectDevice(f.service.mqttUrl, motion));
    await publish(m, topics.deviceStatus(motion.id), JSON.stringify({ online: true, battery: 0.82, fw: '2.4.1' }), { retain: true });
    for (let i = 0; i < 5; i++) await press(m, motion.id, 'motion');
    const dr = track(await connectDevice(f.service.mqttUrl, door));
    await press(dr, door.id, 'door.closed');
    const b = track(await connectDevice(f.service.mqttUrl, bed));
    await press(b, bed.id, 'bed.enter');

    const wrist = track(await connectWearable(f.service.mqttUrl, li!.wearable));
    const pendant = track(await connectDevice(f.service.mqttUrl, centre.pendant));

    await page.goto(`${f.service.httpUrl}/`);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('queue').waitFor();

    const alert = alertOf(wrist, li!.wearable.id);
    await press(pendant, centre.pendant.id);
    const { alarmId } = (await alert) as { alarmId: string };
    await page.locator(`[data-testid="alarm-row"][data-alarm-id="${alarmId}"]`).click();
    const detail = page.locator(`[data-testid="alarm-detail"][data-alarm-id="${alarmId}"]`);
    await detail.waitFor();
    // the caregiver accepts, arrives and resolves from the wrist; the panel follows
    await ack(wrist, li!.wearable.id, alarmId, 'accept');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('accepted');
    await ack(wrist, li!.wearable.id, alarmId, 'arrived');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('on_site');
    await ack(wrist, li!.wearable.id, alarmId, 'resolve', 'assisted');
    await expect.poll(() => detail.getAttribute('data-status')).toBe('resolved');

    await detail.getByTestId('resident-record-link').click();
    const record = page.getByTestId('resident-record');
    await record.waitFor();
    expect(page.url()).toContain(`#/setup/residents/${centre.resident.id}`);
    await expect.poll(() => record.getByTestId('record-name').textContent()).toBe('Huang Xueying');
    expect(await record.getByTestId('record-grid').textContent()).toBe('Xicheng › Financial St › Jade Garden › Grid 1');
    expect(await record.getByTestId('record-contacts').textContent()).toContain('Huang Wei');
    expect(await record.getByTestId('record-access').textContent()).toBe('key safe left of the door, code 4711');

    // the alarm, with how fast it was accepted, reached and resolved, and its outcome
    const row = record.locator(`[data-testid="record-alarm"][data-alarm-id="${alarmId}"]`);
    expect(await row.getAttribute('data-status')).toBe('resolved');
    for (const clock of ['record-to-accept', 'record-to-arrive', 'record-to-resolve']) expect(await row.getByTestId(clock).textContent()).toMatch(/^\d+:\d\d$/);
    expect(await row.textContent()).toContain('Assisted');
    expect(await row.textContent()).toContain('Li Na');

    // the devices and their state
    expect(await record.getByTestId('record-device').count()).toBe(4);
    const motionRow = record.locator(`[data-testid="record-device"][data-device-id="${motion.id}"]`);
    expect(await motionRow.getAttribute('data-state')).toBe('online');
    expect(await motionRow.textContent()).toContain('82%');
    expect(await motionRow.textContent()).toContain('2.4.1');

    // the chart: 168 hours, bars in each row, and the counts the API gives
    const chart = record.locator('svg[data-testid="activity-chart"]');
    expect(await chart.getAttribute('data-hours')).toBe(String(7 * 24));
    for (const kind of ['motion', 'door', 'bed']) expect(await chart.locator(`rect[data-testid="activity-bar"][data-kind="${kind}"]`).count()).toBeGreaterThan(5);
    const api = (await f.api.get(`/api/residents/${centre.resident.id}/activity`)).body;
    expect(api.totals.motion).toBeGreaterThan(5);
    expect(await record.getByTestId('activity-totals').textContent()).toContain(`Motion ${api.totals.motion}, door ${api.totals.door}, bed ${api.totals.bed}`);
    expect(await chart.locator('rect.night').count()).toBeGreaterThanOrEqual(7);
    await shot(page, 'resident-record-en');

    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => record.getByTestId('record-alarms').textContent()).toContain('接单用时');
    expect(await row.textContent()).toContain('已完成');
    expect(await row.textContent()).toContain('已协助');
    await shot(page, 'resident-record-zh');
    await page.getByTestId('lang-switch').selectOption('en');

    // back to the board with that alarm open, though it is closed and off the queue
    await row.getByTestId('record-alarm-link').click();
    await page.getByTestId('queue').waitFor();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('resolved');
    expect(page.url()).toContain(`#/alarm/${alarmId}`);
    expect(errors).toEqual([]);
  }, 90_000);
});
