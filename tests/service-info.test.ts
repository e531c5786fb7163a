import { describe, expect, it } from 'vitest';
import { useService } from './helpers/service-fixture.ts';

/** GET /api/service: where devices connect, the service's clock and its time zone (the Duty page's hours are in it). */
describe('GET /api/service', () => {
  const { f } = useService();

  it("answers the broker's addresses, the service time and the service's time zone", async () => {
    const r = await f.api.get('/api/service');
    expect(r.status).toBe(200);
    expect(r.body.mqttUrl).toBe(f.service.mqttUrl);
    expect(Math.abs(Date.parse(r.body.now) - Date.now())).toBeLessThan(60_000);
    expect(r.body.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    // a zone name Intl knows (it formats a date in it)
    expect(() => new Intl.DateTimeFormat('en', { timeZone: r.body.timeZone }).format(new Date())).not.toThrow();
  });
});
