import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/gateway-harness.ts';
import { startTestService, type TestService } from './helpers/service-fixture.ts';
import { startTcpBlackhole } from './helpers/tcp-blackhole.ts';
import { createPgDatabase } from './helpers/test-db.ts';

interface Health {
  status: number;
  ms: number;
  body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
}

async function probe(s: TestService): Promise<Health> {
  const t0 = performance.now();
  const res = await fetch(`${s.httpUrl}/healthz`);
  const body = (await res.json()) as Health['body'];
  return { status: res.status, ms: performance.now() - t0, body };
}

// PostgreSQL behind a link that can swallow every packet without closing anything: the way a
// database host that hangs, or a firewall that drops, looks from the service.
describe('/healthz with the database answering, then not answering at all', () => {
  let hole: Awaited<ReturnType<typeof startTcpBlackhole>>;
  let service: TestService;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const pg = await createPgDatabase();
    drop = pg.drop;
    hole = await startTcpBlackhole('127.0.0.1', Number(new URL(pg.url).port || 5432));
    const viaHole = new URL(pg.url);
    viaHole.port = String(hole.port);
    service = await startTestService({ DATABASE_URL: viaHole.toString() });
  }, 120_000);
  afterAll(async () => {
    hole?.restore();
    await service?.close();
    await hole?.close();
    await drop?.();
  });

  it('200 with every part named when all is well', async () => {
    const h = await probe(service);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');
    expect(Object.keys(h.body.checks).sort()).toEqual(['broker', 'database', 'dispatcher', 'sms']);
    expect(h.body.checks.database).toEqual({ ok: true, detail: expect.stringMatching(/^postgres/) });
    expect(Object.values(h.body.checks).every((c) => c.ok)).toBe(true);
  });

  it('answers within a second while the database swallows everything, naming the database as what is down', async ({ annotate }) => {
    hole.blackhole();
    const probes: Health[] = [];
    // a load balancer keeps probing: each answer is as quick, not queued behind the last one's ping
    for (let i = 0; i < 3; i++) probes.push(await probe(service));
    await annotate(`/healthz during the blackhole: ${probes.map((p) => `${p.ms.toFixed(0)} ms`).join(', ')}`);
    for (const h of probes) {
      expect(h.ms).toBeLessThan(1_500);
      expect(h.status).toBe(503);
      expect(h.body.status).toBe('degraded');
      expect(h.body.checks.database).toEqual({ ok: false, detail: 'database: no answer within 800 ms' });
      // the parts that do answer are still reported as they are
      expect(h.body.checks.broker).toMatchObject({ ok: true, detail: expect.stringMatching(/^embedded/) });
      expect(h.body.checks.sms).toMatchObject({ ok: true });
      expect(h.body.checks.dispatcher).toMatchObject({ ok: true });
    }

    hole.restore();
    const back = await waitFor(async () => {
      const h = await probe(service);
      return h.status === 200 && h;
    }, 15_000, 200);
    expect(back.body.checks.database?.ok).toBe(true);
  }, 60_000);
});
