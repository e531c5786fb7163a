import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { useService } from './helpers/service-fixture.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { ADMIN } from './helpers/api-client.ts';
import { publish, waitFor } from './helpers/gateway-harness.ts';
import { topics } from '../contract/topics.ts';

/**
 * Service orders on the page (Chromium): a caregiver's skills are edited on the Caregivers
 * page and stored; an open meal order sits in the board's own "Service orders" lane (naming the
 * service) while an emergency is in the alarm queue; Reports shows the orders' own figures; in
 * Chinese too.
 */
describe('service orders on the console page (Debian chromium)', () => {
  const { f, track } = useService({}, 'embedded');
  const { open, logIn, shot, errors } = useConsoleBrowser(f, { viewport: { width: 1280, height: 860 } });
  let page: Page;
  beforeAll(async () => {
    page = await open();
  });

  it('skills on the caregiver form, the orders lane on the board, the orders table in Reports', async () => {
    const centre = await provisionCentre(f.api);
    const [li, wang] = centre.caregivers;
    await page.goto(`${f.service.httpUrl}/`);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByTestId('queue').waitFor();

    // skills: a checkbox per service kind, saved with the caregiver
    await page.goto(`${f.service.httpUrl}/#/setup/caregivers`);
    await page.locator('[data-testid="caregiver-row"][data-name="Wang Fang"]').getByTestId('caregiver-edit').click();
    const form = page.getByTestId('caregiver-form');
    await form.waitFor();
    expect(await form.getByTestId('caregiver-skill').count()).toBe(7);
    expect(await form.locator('[data-testid="caregiver-skill"]:checked').count()).toBe(0);
    await form.locator('[data-testid="caregiver-skill"][data-skill="bathing"]').check();
    await form.locator('[data-testid="caregiver-skill"][data-skill="meal"]').check();
    await form.getByTestId('caregiver-save').click();
    await form.getByTestId('caregiver-saved').waitFor();
    expect((await f.api.call('GET', `/api/caregivers/${wang!.id}`)).body.skills).toEqual(['meal', 'bathing']); // the contract's order
    expect((await f.api.call('GET', `/api/caregivers/${li!.id}`)).body.skills).toEqual([]);
    await shot(page, 'caregiver-skills');

    // an emergency and a meal order: each in its own lane
    const wangW = track(await connectWearable(f.service.mqttUrl, wang!.wearable));
    track(await connectWearable(f.service.mqttUrl, li!.wearable));
    const pendant = track(await connectDevice(f.service.mqttUrl, centre.pendant));
    await page.goto(`${f.service.httpUrl}/#/`);
    await page.getByTestId('queue').waitFor();
    await press(pendant, centre.pendant.id);
    await press(pendant, centre.pendant.id, 'service.request', { service: 'meal' });
    const orderRow = page.getByTestId('service-queue').getByTestId('alarm-row');
    await orderRow.waitFor();
    expect(await orderRow.getAttribute('data-priority')).toBe('service');
    expect(await orderRow.getByTestId('alarm-service').textContent()).toBe('meal');
    const alarmRow = page.getByTestId('queue').getByTestId('alarm-row');
    await alarmRow.waitFor();
    expect(await alarmRow.getAttribute('data-priority')).toBe('emergency');
    expect(await page.getByTestId('queue').locator('[data-priority="service"]').count()).toBe(0);
    await shot(page, 'board-service-lane');

    // Wang takes the order on the wrist and it is done: the board's lane empties
    const orderId = (await orderRow.getAttribute('data-alarm-id'))!;
    for (const action of ['accept', 'arrived', 'resolve']) {
      await publish(wangW, topics.wearableAcks(wang!.wearable.id), JSON.stringify({ alarmId: orderId, action, ...(action === 'resolve' && { outcome: 'service_done' }) }));
    }
    await waitFor(async () => (await f.api.call('GET', `/api/alarms/${orderId}`)).body.status === 'resolved');
    await page.getByTestId('service-queue-empty').waitFor();

    // Reports: the orders' own table
    await page.goto(`${f.service.httpUrl}/#/reports`);
    const svcRow = page.getByTestId('service-kpi-row');
    await svcRow.waitFor();
    expect(await svcRow.count()).toBe(1);
    expect(await svcRow.locator('td').first().textContent()).toBe('1');
    expect(await svcRow.getByTestId('service-acceptedWithin15m').textContent()).toMatch(/^100/);
    expect(await svcRow.getByTestId('service-doneSameDay').textContent()).toMatch(/^100/);
    await shot(page, 'reports-service-orders');

    // in Chinese
    await page.getByTestId('lang-switch').selectOption('zh');
    await expect.poll(() => page.locator('.report-sub', { hasText: '服务工单' }).count()).toBe(1);
    await page.goto(`${f.service.httpUrl}/#/`);
    await expect.poll(() => page.locator('#service-queue-title').textContent()).toContain('服务工单');
    expect(errors).toEqual([]);
  }, 90_000);
});
