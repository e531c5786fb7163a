import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../contract/topics.ts';
import { ADMIN } from './helpers/api-client.ts';
import { CHROMIUM, launchChromium } from './helpers/browser.ts';
import { connect, provisionResident, publish } from './helpers/gateway-harness.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';
import { makeTestCa, type TestCa } from './helpers/test-ca.ts';

// Issue 11: the console in Debian's Chromium over HTTPS (TLS_CERT/TLS_KEY), its live stream
// over wss:, and a browser that has not been told to accept the certificate refusing it.
//
// Chromium is told to accept exactly one key: --ignore-certificate-errors-spki-list takes the
// base64 SHA-256 of a certificate's SubjectPublicKeyInfo; any other certificate is checked as usual.

/** base64(SHA-256(SubjectPublicKeyInfo DER)) of a PEM certificate, as Chromium's switch wants it. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const acceptOnly = (pem: string) => [`--ignore-certificate-errors-spki-list=${spkiHash(pem)}`];

describe('the console over HTTPS in a real browser (Debian chromium)', () => {
  let ca: TestCa;
  let stranger: TestCa;
  let service: TestService;
  let shots: string;
  let browser: Browser | undefined;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    ca = makeTestCa();
    // another CA's server certificate (its own key): a flag for it must not accept ours
    stranger = makeTestCa('Stranger CA', ca.dir);
    service = await startTestService({ TLS_CERT: ca.server.certPath, TLS_KEY: ca.server.keyPath, MQTTS_PORT: '0', MQTT_WSS_PORT: '0', MQTT_PORT: 'off' });
    expect(service.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // under the test's temp dir (removed afterwards); TEST_SCREENSHOT_DIR keeps them to look at
    shots = process.env.TEST_SCREENSHOT_DIR ?? join(service.config.database.dataDir, 'screenshots');
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await browser?.close().catch(() => undefined);
    await service?.close();
    ca?.remove();
  });

  /** One browser per case, closed before the next. */
  async function launch(extraArgs: string[] = []): Promise<Browser> {
    await browser?.close().catch(() => undefined);
    browser = await launchChromium(extraArgs);
    return browser;
  }

  it('accepting only the server certificate’s key: logs in through the page, the board goes live over wss: and shows a press made over MQTTS', async () => {
    const b = await launch(acceptOnly(ca.server.cert));
    const page = await b.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    const errors: string[] = [];
    const sockets: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text()) && errors.push(m.text())));
    page.on('websocket', (ws) => sockets.push(ws.url()));

    const response = await page.goto(`${service.httpUrl}/`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(/^https:\/\//);
    // the certificate Chromium saw is the service's (the switch accepts it; it does not replace it)
    const tls = await response!.securityDetails();
    expect(tls?.subjectName).toBe('localhost');
    expect(tls?.issuer).toBe('Homecare Test CA');

    await page.getByTestId('lang-switch').selectOption('en');
    await page.getByTestId('login-username').fill(ADMIN.username);
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('queue').waitFor({ timeout: 30_000 });
    // the live stream: connected, over wss: to the same HTTPS port
    await expect.poll(() => page.getByTestId('conn-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    const wsUrl = `${service.httpUrl.replace(/^https:/, 'wss:')}/ws`;
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((u) => u.startsWith(`${wsUrl}?`) || u === wsUrl)).toBe(true);

    // something that can only reach the page through that stream: a button pressed over MQTTS
    const { resident, devices } = await provisionResident(service.db, ['pendant']);
    const pendant = devices[0]!;
    const client = await connect(service.mqttsUrl!, { username: pendant.id, password: pendant.secret, clientId: pendant.id, ca: ca.ca });
    clients.push(client);
    await publish(client, topics.deviceEvents(pendant.id), JSON.stringify({ id: randomUUID(), type: 'button.pressed', ts: new Date().toISOString(), data: {} }));
    const row = page.locator('[data-testid="alarm-row"]').filter({ hasText: resident.name });
    try {
      await row.first().waitFor({ timeout: 30_000 });
    } catch (err) {
      // seen once under load in the full suite, never alone: say which side missed it
      const stored = await service.db.query('SELECT id, status FROM alarms WHERE device_id = $1', [pendant.id]);
      const conn = await page.getByTestId('conn-state').getAttribute('data-state').catch(() => 'unknown');
      await page.screenshot({ path: join(shots, 'tls-board-missing.png') }).catch(() => undefined);
      throw new Error(`no row for the press on the board: alarms stored ${JSON.stringify(stored.rows)}, stream ${conn}, sockets ${sockets.length}`, { cause: err });
    }
    await page.screenshot({ path: join(shots, 'tls-board.png') });

    expect(errors).toEqual([]);
  }, 120_000);

  it('without the switch, Chromium refuses the page: the certificate is really checked', async () => {
    const b = await launch();
    const page = await b.newPage();
    await expect(page.goto(`${service.httpUrl}/`)).rejects.toThrow(/net::ERR_CERT_AUTHORITY_INVALID/);
  }, 60_000);

  it('accepting another certificate’s key does not accept this one', async () => {
    expect(spkiHash(stranger.server.cert)).not.toBe(spkiHash(ca.server.cert));
    const b = await launch(acceptOnly(stranger.server.cert));
    const page = await b.newPage();
    await expect(page.goto(`${service.httpUrl}/`)).rejects.toThrow(/net::ERR_CERT_AUTHORITY_INVALID/);
  }, 60_000);
});
