import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../dispatch-console/console/import/csv.ts';
import { ADMIN } from './helpers/api-client.ts';
import { useConsoleBrowser } from './helpers/console-page.ts';
import { connect } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

const RESIDENTS = [
  'ref,name,grid,phone,notes,contact1_name,contact1_phone',
  'P-1,Zhou Lan,Haidian/Garden Rd/Lotus Court/Grid A,+8613800000011,"stairs, 3rd floor",Zhou Ping,+8613900000011',
  'P-2,Wu Hao,Haidian/Garden Rd/Lotus Court/Grid A,+8613800000012,,,',
].join('\r\n');
const DEVICES = ['id,kind,resident_ref', ',pendant,P-1', 'page-pull-2,pull_cord,P-2'].join('\r\n');
const BAD = ['ref,name,grid,phone', 'P-9,,Haidian/Garden Rd/Lotus Court/Grid A,', 'P-10,Bad Phone,Haidian/Garden Rd/Lotus Court/Grid A,call me'].join('\r\n');
const csv = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

/**
 * The import page in Debian's Chromium: a file with bad rows shows each with its line and
 * reason and imports nothing; good files validate, import, and offer the new devices' secrets
 * once as a CSV download whose secret logs in over real MQTT; the page in Chinese. Screenshots.
 */
describe('the import page in a real browser (Debian chromium)', () => {
  const { f, track } = useService();
  const { signedIn, shot, errors } = useConsoleBrowser(f, {
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    // the refusal the test provokes (400) is logged by the browser as a failed request
    ignoreConsole: /Bad Request/,
    shotPrefix: 'import-',
    fullPage: true,
  });

  it('reports bad rows, imports good files, and hands the secrets over once as a download', async () => {
    const page = await signedIn(ADMIN.username, ADMIN.password);
    await page.goto(`${f.service.httpUrl}/#/setup/import`);
    await page.getByTestId('import-page').waitFor();

    // bad rows: each listed with its line; nothing written
    await page.getByTestId('import-file-residents').setInputFiles(csv('bad.csv', BAD));
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-problems').waitFor();
    const problems = await page.getByTestId('import-problem').allInnerTexts();
    expect(problems.map((p) => p.split('\t').slice(1, 3))).toEqual([
      ['2', 'name'],
      ['3', 'phone'],
    ]);
    await shot(page, 'problems');
    expect((await f.api.get('/api/residents')).body).toEqual([]);

    // good files: validate first (nothing written, no secrets), then import
    await page.getByTestId('import-file-residents').setInputFiles(csv('residents.csv', RESIDENTS));
    await page.getByTestId('import-file-devices').setInputFiles(csv('devices.csv', DEVICES));
    await page.getByTestId('import-validate').click();
    await page.getByTestId('import-counts').waitFor();
    expect(await page.getByTestId('import-count-residents').innerText()).toMatch(/Residents\s+2\s+0\s+0/);
    expect(await page.getByTestId('import-secrets').count()).toBe(0);
    expect((await f.api.get('/api/residents')).body).toEqual([]);

    await page.getByTestId('import-run').click();
    await page.getByTestId('import-secrets').waitFor();
    expect(await page.getByTestId('import-count-devices').innerText()).toMatch(/Devices\s+2\s+0\s+0/);
    expect(await page.getByTestId('import-areas').innerText()).toContain('Haidian/Garden Rd/Lotus Court/Grid A');
    await shot(page, 'done');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-secrets-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^device-secrets-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8')).map((r) => r.fields);
    expect(rows[0]).toEqual(['id', 'kind', 'resident_ref', 'secret']);
    const pull = rows.find((r) => r[0] === 'page-pull-2')!;
    const client = track(await connect(f.service.mqttUrl, { username: pull[0], password: pull[3], clientId: pull[0] }));
    expect(client.connected).toBe(true);

    // the same files again: all unchanged, no secrets offered; in Chinese
    await page.getByTestId('lang-switch').selectOption('zh');
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-counts').waitFor();
    await expect.poll(() => page.getByTestId('import-count-residents').innerText()).toMatch(/老人\s+0\s+0\s+2/);
    expect(await page.getByTestId('import-secrets').count()).toBe(0);
    await shot(page, 'rerun-zh');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
