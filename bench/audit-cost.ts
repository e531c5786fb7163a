// What the audit trail costs a request: the in-request part (one record() call, a buffer push)
// and the write that follows off the request path (batched inserts), plus a console read's
// latency over HTTP with the trail recording and with record() turned into a no-op.
//
//   node --import tsx bench/audit-cost.ts [--requests 2000]
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { AuditTrail } from '../dispatch-console/console/audit-trail.ts';
import { startService } from '../runtime/service.ts';
import { apiClient } from '../tests/helpers/api-client.ts';
import { provisionCentre } from '../tests/helpers/care-centre.ts';
import { migratedEmbeddedDir } from '../tests/helpers/test-db.ts';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '2000' } } });
const N = Number(args.requests);
const dir = await migratedEmbeddedDir('homecare-bench-audit-');
const config = loadConfig({ DATA_DIR: dir.path, MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: 'bench-admin-pass-1' });
const service = await startService(config, createLogger('silent'));
const api = apiClient(service.httpUrl);
await api.login('admin', 'bench-admin-pass-1');
const centre = await provisionCentre(api);
const path = `/api/residents/${centre.resident.id}`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
async function reads(): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await api.get(path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    ms.push(performance.now() - t);
  }
  return ms;
}

await reads(); // warm up
// alternating rounds, so neither side gets the warmer machine
const record = AuditTrail.prototype.record;
const withTrail: number[] = [];
const without: number[] = [];
for (let round = 0; round < 4; round++) {
  AuditTrail.prototype.record = record;
  withTrail.push(...(await reads()));
  AuditTrail.prototype.record = () => undefined;
  without.push(...(await reads()));
}
AuditTrail.prototype.record = record;

// the write: batches of 200 lines into the embedded database
const trail = new AuditTrail(service.db, createLogger('silent'));
const line = { at: new Date(), userId: null, username: 'bench', action: 'read' as const, resource: 'resident' as const, resourceId: centre.resident.id, method: 'GET', route: '/api/residents/:id', status: 200, ip: '127.0.0.1' };
let t = performance.now();
for (let i = 0; i < 10_000; i++) trail.record({ ...line, at: new Date() });
const recordUs = ((performance.now() - t) * 1000) / 10_000;
t = performance.now();
await trail.flush();
const writeMsPerLine = (performance.now() - t) / 10_000;

process.stdout.write(
  `GET /api/residents/:id over HTTP, 4 alternating rounds of ${N} sequential requests each way, embedded database\n` +
    `  with the audit trail:    p50 ${pct(withTrail, 50).toFixed(2)} ms  p99 ${pct(withTrail, 99).toFixed(2)} ms\n` +
    `  record() a no-op:        p50 ${pct(without, 50).toFixed(2)} ms  p99 ${pct(without, 99).toFixed(2)} ms\n` +
    `  record() itself: ${recordUs.toFixed(2)} µs per request; the write, off the request path: ${(writeMsPerLine * 1000).toFixed(1)} µs per line (10,000 lines in batches)\n`,
);
await service.close();
dir.remove();
process.exit(0);
