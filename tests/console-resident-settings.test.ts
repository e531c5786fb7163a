/**
 * Per-resident settings and the weekly button test in a real browser (Debian chromium): the
 * "Settings" section of the resident form saves what the API then answers, the record shows
 * the rules in force (own or the centre's), and the Residents page lists overdue buttons.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN } from './helpers/api-client.ts';
import { provisionCentre } from './helpers/care-centre.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { useService } from './helpers/service-fixture.ts';

describe('resident settings in a real browser', () => {
  const { f } = useService({}, 'embedded');
  const { signedIn, shot, errors } = useConsoleBrowser(f, { viewport: { width: 1280, height: 1100 }, fullPage: true });

  it('edits the settings on the resident form, shows the rules in force on the record, and lists the button due its test', async () => {
    const centre = await provisionCentre(f.api, { caregivers: 1 });
    // the pendant was registered ten days ago and never pressed: due its weekly test
    await f.service.db.query('UPDATE devices SET created_at = $2 WHERE id = $1', [centre.pendant.id, new Date(Date.now() - 10 * 86_400_000).toISOString()]);

    const page = await signedIn(ADMIN.username, ADMIN.password, { path: '/#/setup/residents', english: false, queue: false });
    const untested = page.locator(`[data-testid="untested-resident"][data-resident-id="${centre.resident.id}"]`);
    await untested.waitFor();
    expect(await untested.textContent()).toContain('no test on record');

    await page.locator(`[data-testid="resident-row"][data-name="${centre.resident.name}"]`).getByTestId('resident-edit').click();
    const form = page.getByTestId('resident-form');
    await form.getByTestId('resident-settings').waitFor();
    await form.getByTestId('settings-inactivity').fill('6');
    await form.getByTestId('settings-waking-from').selectOption('08');
    await form.getByTestId('settings-waking-to').selectOption('21');
    await form.getByTestId('settings-checkin').selectOption('own');
    await form.getByTestId('settings-checkin-at').fill('09:30');
    await form.getByTestId('settings-night-door').selectOption('off');
    await form.getByTestId('settings-away-from').fill('2030-05-01T08:00');
    await form.getByTestId('settings-away-until').fill('2030-05-10T18:00');
    await form.getByTestId('settings-away-reason').fill('hospital');
    await form.getByTestId('resident-save').click();
    await form.getByTestId('resident-saved').waitFor();
    if (process.env.TEST_SCREENSHOT_DIR) await shot(page, 'resident-settings-form');

    const saved = (await f.api.get(`/api/residents/${centre.resident.id}`)).body;
    expect(saved.settings).toMatchObject({ inactivityHours: 6, wakingHours: '08-21', checkinBy: '09:30', nightDoorAlarm: false, away: { reason: 'hospital' } });
    expect(new Date(saved.settings.away.from).getFullYear()).toBe(2030);
    expect(saved.effectiveSettings.fromResident).toEqual(['inactivityHours', 'wakingHours', 'checkinBy', 'nightDoorAlarm', 'away']);

    await page.goto(`${f.service.httpUrl}/#/setup/residents/${centre.resident.id}`);
    const settings = page.getByTestId('record-settings');
    await settings.waitFor();
    const cell = (key: string) => settings.getByTestId(`record-setting-${key}`);
    expect(await cell('checkinBy').textContent()).toContain('09:30');
    expect(await cell('checkinBy').getAttribute('data-source')).toBe('resident');
    expect(await cell('wakingHours').textContent()).toContain('08:00–21:00');
    expect(await cell('nightDoorAlarm').textContent()).toContain('No alarm');
    expect(await cell('cancelWindowS').getAttribute('data-source')).toBe('centre');
    expect(await cell('cancelWindowS').textContent()).toContain('120 s');
    expect(await cell('away').textContent()).toContain('hospital');
    if (process.env.TEST_SCREENSHOT_DIR) await shot(page, 'resident-settings-record');
    expect(errors).toEqual([]);
  });
});
