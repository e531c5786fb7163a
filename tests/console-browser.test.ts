import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ack, alertOf, connectDevice, connectWearable, press, provisionCentre, useService } from './helpers/care-centre.ts';
import { CHROMIUM, launchChromium, rowSeenAt, WATCH_ALARM_ROWS } from './helpers/browser.ts';
import { ADMIN } from './helpers/service-harness.ts';

const POLICY = JSON.stringify({ emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: 60 }, { kind: 'console', acceptWithinS: 60 }] } });

describe('the operators\' console in a real browser (Debian chromium)', () => {
  const { f, track } = useService({ ALARM_POLICY: POLICY }, 'homecare-browser-');
  let browser: Browser;
  let page: Page;
  let shots: string;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    page.on('pageerror', (e) => errors.push(e.message));
    // a Content-Security-Policy violation (or any failed load) shows as a console error
    page.on('console', (m) => void (m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text()) && errors.push(m.text())));
    // under the test's temp dir (removed afterwards); TEST_SCREENSHOT_DIR keeps them to look at
    shots = process.env.TEST_SCREENSHOT_DIR ?? join(f.service.config.database.dataDir, 'screenshots');
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('logs in, shows a pressed button on the board within a second, accepts it from the page, stops the clock and fills the timeline', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 2 });
    const [li] = centre.caregivers;
    const wrist = track(await connectWearable(f.service.mqttUrl, li!.wearable));
    const pendant = track(await connectDevice(f.service.mqttUrl, centre.pendant));

    await page.goto(`${f.service.httpUrl}/`);
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/invalid username or password/);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('queue').waitFor();
    await page.getByTestId('on-duty').getByText('Li Na').first().waitFor();
    // the alarm sound is on by default, and the login click let the browser start the audio
    const sound = page.getByTestId('sound-toggle');
    expect(await sound.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => sound.getAttribute('data-audio')).toBe('running');
    expect(await page.getByTestId('sound-hint').count()).toBe(0);

    // when each alarm row first appears, by the page's own clock (same machine as ours)
    await page.evaluate(WATCH_ALARM_ROWS);
    const alert = alertOf(wrist, li!.wearable.id);
    const pressedAt = Date.now();
    await press(pendant, centre.pendant.id);
    const { alarmId } = (await alert) as { alarmId: string };
    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="${alarmId}"]`);
    await row.waitFor({ timeout: 5_000 });
    const seenAt = (await page.evaluate(rowSeenAt(alarmId))) as number;
    const ms = seenAt - pressedAt;
    process.stderr.write(`console-browser: MQTT press → alarm row on the page: ${ms} ms\n`);
    expect(ms).toBeLessThan(1_000);
    await expect.poll(() => row.getAttribute('data-status')).toBe('open');
    await expect.poll(() => row.getByTestId('alarm-clock').getAttribute('data-state')).toBe('running');
    await expect.poll(() => row.textContent()).toContain('Huang Xueying');
    // a pressed button is an emergency: its pattern sounded
    await expect.poll(() => sound.getAttribute('data-last-tone')).toBe('emergency');
    await page.screenshot({ path: join(shots, 'board-alarm-open.png') });

    await row.click();
    const detail = page.getByTestId('alarm-detail');
    await detail.waitFor();
    await detail.locator('[data-testid="timeline-entry"][data-code="alarm.raised"]').waitFor();
    // the resident's phone dials; today's instants show the time of day alone
    const phone = detail.getByTestId('phone-link');
    expect(await phone.getAttribute('href')).toBe('tel:+8613800000000');
    expect(await phone.getAttribute('title')).toBe('Call');
    expect(await detail.getByTestId('raised-at').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await detail.locator('[data-testid="timeline-entry"] .tl-at').first().textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    await page.getByTestId('action-accept').click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('accepted');
    const clock = row.getByTestId('alarm-clock');
    await expect.poll(() => clock.getAttribute('data-state')).toBe('stopped');
    const frozen = await clock.textContent();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await clock.textContent()).toBe(frozen); // stopped: it no longer ticks
    await detail.locator('[data-testid="timeline-entry"][data-code="alarm.accepted"]').waitFor();

    // a note, then resolve with an outcome; the wrist that was asked is told it was taken
    await page.getByTestId('note-input').fill('neighbour has a key');
    await page.getByTestId('action-note').click();
    await detail.locator('[data-testid="timeline-entry"][data-code="note.added"]').waitFor();
    const api = await f.api.call('GET', `/api/alarms/${alarmId}`);
    expect(api.body).toMatchObject({ status: 'accepted', acceptedByName: 'admin' });
    expect(api.body.timeline.map((t: { code: string }) => t.code)).toEqual(expect.arrayContaining(['alarm.accepted', 'note.added']));
    await page.screenshot({ path: join(shots, 'board-alarm-accepted.png') });
    void ack;
    expect(errors).toEqual([]);
  }, 60_000);

  it('renders the response-time report with its chart, and switches to Chinese', async () => {
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('reports-table').waitFor();
    const chart = page.getByTestId('reports-chart');
    await chart.locator('canvas').first().waitFor();
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(100);
    await page.screenshot({ path: join(shots, 'reports.png') });

    await page.getByTestId('lang-switch').selectOption('zh').catch(async () => page.getByTestId('lang-switch').getByText('中文').click());
    await expect.poll(() => page.locator('body').textContent()).toMatch(/[\u4e00-\u9fff]/);
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toMatch(/^zh/); // the choice is kept
    await page.screenshot({ path: join(shots, 'reports-zh.png') });
    expect(errors).toEqual([]);
  }, 60_000);

  it('asks for a click while the browser holds the sound back, and keeps the mute choice across a reload', async () => {
    const sound = page.getByTestId('sound-toggle');
    const hint = page.getByTestId('sound-hint');
    // reloaded above and not clicked since: the browser has not let the audio start
    await hint.waitFor();
    expect(await sound.getAttribute('data-audio')).toBe('suspended');
    await page.screenshot({ path: join(shots, 'header-sound-held.png') });
    await hint.click();
    await hint.waitFor({ state: 'detached' });
    await expect.poll(() => sound.getAttribute('data-audio')).toBe('running');

    await sound.click();
    await expect.poll(() => sound.getAttribute('aria-pressed')).toBe('false');
    expect(await page.evaluate(`localStorage.getItem('console.sound')`)).toBe('off');
    await page.reload();
    await sound.waitFor();
    expect(await sound.getAttribute('aria-pressed')).toBe('false');
    expect(await hint.count()).toBe(0); // muted: nothing to ask for
    await page.screenshot({ path: join(shots, 'header-muted.png') });

    await sound.click();
    await expect.poll(() => sound.getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await sound.waitFor();
    expect(await sound.getAttribute('aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
  }, 30_000);
});
