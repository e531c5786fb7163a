// Bulk import of a centre moving in: 1,000 residents with 3 devices each (POST /api/import over
// HTTP, one request), on the embedded database and on PostgreSQL (when one answers on
// 127.0.0.1:5432, as for the tests). Prints the dry run (parse, read, plan), the import, the
// re-run (nothing changes), the secret hashing alone, and the routing reloads the import caused.
//
//   node --import tsx bench/import-1000.ts [--residents 1000] [--db embedded|postgres|both]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { DEVICE_SECRET_COST, generateToken, hashSecret } from '../common/secrets.ts';
import type { DispatchDirectory } from '../dispatch-console/dispatcher/directory.ts';
import { startService } from '../runtime/service.ts';
import { apiClient } from '../tests/helpers/api-client.ts';
import { centreFiles } from '../tests/helpers/import-files.ts';
import { createPgDatabase, migratedEmbeddedDir, type TestDbKind } from '../tests/helpers/test-db.ts';

const { values: args } = parseArgs({ options: { residents: { type: 'string', default: '1000' }, db: { type: 'string', default: 'both' } } });
const N = Number(args.residents);
const kinds: TestDbKind[] = args.db === 'both' ? ['embedded', 'postgres'] : [args.db as TestDbKind];
const PASSWORD = 'bench-admin-pass-1';
const files = centreFiles(N);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

async function run(kind: TestDbKind): Promise<string> {
  let env: Record<string, string>;
  let drop: () => Promise<void> | void;
  if (kind === 'embedded') {
    const dir = await migratedEmbeddedDir('homecare-bench-import-');
    env = { DATA_DIR: dir.path };
    drop = dir.remove;
  } else {
    const pg = await createPgDatabase().catch(() => undefined);
    if (!pg) return 'postgres: not reachable on 127.0.0.1:5432, skipped\n';
    env = { DATABASE_URL: pg.url };
    drop = pg.drop;
  }
  const service = await startService(loadConfig({ ...env, MQTT_PORT: '0', MQTT_WS_PORT: '0', HTTP_PORT: '0', ADMIN_PASSWORD: PASSWORD }), createLogger('silent'));
  try {
    const api = apiClient(service.httpUrl);
    await api.login('admin', PASSWORD);
    // the routing directory is the dispatcher's own: watched here, not changed
    const directory = (service.dispatcher as unknown as { o: { directory: DispatchDirectory } }).o.directory;
    const changed = directory.changed.bind(directory);
    let importReloads = 0;
    let allReloads = 0;
    directory.changed = () => (importReloads++, changed());
    directory.reloaded.add(() => allReloads++);

    const [dry, dryMs] = await timed(() => api.post('/api/import', { ...files, dryRun: true }));
    if (dry.status !== 200) throw new Error(`dry run: ${dry.status} ${dry.text.slice(0, 300)}`);
    importReloads = 0;
    allReloads = 0;
    // CPU time of this process (the request, the hashing threads and, embedded, the database's
    // thread): what the import costs whatever else the machine is doing
    const cpu0 = process.cpuUsage();
    const [r, ms] = await timed(() => api.post('/api/import', files));
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (r.status !== 200) throw new Error(`import: ${r.status} ${r.text.slice(0, 300)}`);
    const reloads = { importReloads, allReloads };
    const [again, againMs] = await timed(() => api.post('/api/import', files));
    if (again.body.secretsCsv !== null || again.body.devices.unchanged !== 3 * N) throw new Error(`re-run changed something: ${again.text.slice(0, 300)}`);
    return (
      `${kind}: ${N} residents + ${3 * N} devices imported in ${s(ms)} (CPU ${s(cpuMs)} in this process${kind === 'postgres' ? ', the server not counted' : ''}; ` +
      `dry run ${s(dryMs)}, re-run ${s(againMs)}; load average (1 min) after: ${loadavg()[0]!.toFixed(1)}); ` +
      `created ${r.body.residents.created} residents, ${r.body.devices.created} devices, ${r.body.areasCreated.length} areas; ` +
      `routing reloads caused by the import: ${reloads.importReloads} (all directory reads meanwhile, the 15 s periodic refresh included: ${reloads.allReloads})\n`
    );
  } finally {
    await service.close();
    await drop();
  }
}

const out: string[] = [];
for (const kind of kinds) out.push(await run(kind));
// what the secrets alone cost on this machine: scrypt at the device cost, two at a time as the import does
const hashCpu0 = process.cpuUsage();
const [, hashMs] = await timed(async () => {
  let next = 0;
  const worker = async () => {
    while (next++ < 3 * N) await hashSecret(generateToken(), DEVICE_SECRET_COST);
  };
  await Promise.all([worker(), worker()]);
});
const hashCpu = process.cpuUsage(hashCpu0);
out.push(`hashing ${3 * N} device secrets alone (2 at a time): ${s(hashMs)} (CPU ${s((hashCpu.user + hashCpu.system) / 1000)})\n`);
process.stdout.write(out.join(''));
