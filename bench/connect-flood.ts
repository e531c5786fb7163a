// Wrong-secret floods against the device broker (issue 11): 64 connections send CONNECTs with
// wrong secrets in a loop for ~10 s (from a child process, so the broker's CPU is measured on
// its own), first all from one address, then each from an address of its own (127.0.60.n: a
// flood spread out like a botnet's). Meanwhile, every second:
//   - a pendant whose secret the broker has verified before, behind an attacker's address
//     (the same NAT), connects and publishes a QoS 1 event;
//   - a pendant the broker has never seen connects from an address of its own and does the same
//     (its first connect costs a scrypt check, so it waits for the limited checks).
// Printed: wrong CONNECTs answered per second (by CONNACK code), scrypt checks run per second,
// connect time and PUBACK latency p50/max for each pendant, and the broker's CPU (cores).
//
//   node --import tsx bench/connect-flood.ts
//   node --import tsx bench/connect-flood.ts --seconds 10 --connections 64 --db embedded
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { connectFrom as connectFromAddress, connectPacket } from '../tests/helpers/raw-mqtt.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    db: { type: 'string', default: 'postgres' },
    role: { type: 'string', default: 'broker' },
    port: { type: 'string' },
    spread: { type: 'boolean', default: false },
    'known-id': { type: 'string', default: '' },
    net: { type: 'string', default: '50' },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);

/** One raw CONNECT from localAddress: CONNACK's return code. */
function attempt(port: number, id: string, secret: string, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const s = tcpConnect({ port, host: '127.0.0.1', localAddress }, () => s.write(connectPacket(id, secret)));
    const timer = setTimeout(() => (s.destroy(), resolve(-1)), 15_000);
    s.once('data', (b: Buffer) => (clearTimeout(timer), s.destroy(), resolve(b[0] === 0x20 ? b[3]! : -2)));
    s.once('error', () => (clearTimeout(timer), resolve(-3)));
  });
}

if (args.role === 'attacker') {
  // the flood, in its own process: reports the CONNACK codes it got
  const port = Number(args.port);
  const codes: Record<string, number> = {};
  let n = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const from = `127.0.${args.net}.${args.spread ? i + 1 : 1}`;
      while (performance.now() < until) {
        const id = i % 2 && args['known-id'] ? args['known-id'] : `pendant-ghost-${i}-${n}`;
        const code = await attempt(port, id, `guess-${n++}`, from);
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }),
  );
  const cpu = process.cpuUsage();
  process.send!({ codes, cpuS: (cpu.user + cpu.system) / 1e6 });
  process.exit(0);
}

const { createTestDb } = await import('../tests/helpers/test-db.ts');
const { provisionResident, startGateway } = await import('../tests/helpers/gateway-harness.ts');
const { topics } = await import('../contract/topics.ts');
if (args.db !== 'postgres' && args.db !== 'embedded') throw new Error('--db is postgres or embedded');
const { db, cleanup } = await createTestDb(args.db);
const gw = await startGateway(db);
const port = gw.listeners.port;
const auth = (gw.gateway as unknown as { auth: { scryptChecks: number } }).auth;

const connectFrom = (localAddress: string, dev: { id: string; secret: string }) => connectFromAddress(port, localAddress, dev, 15_000);

/** Connects, publishes one QoS 1 event, disconnects: connect ms and PUBACK ms (or the refusal). */
async function pendantRound(localAddress: string, dev: { id: string; secret: string }): Promise<{ connectMs: number; pubackMs: number } | string> {
  const t0 = performance.now();
  let c: MqttClient;
  try {
    c = await connectFrom(localAddress, dev);
  } catch (err) {
    return (err as Error).message;
  }
  const t1 = performance.now();
  await new Promise<void>((resolve, reject) =>
    c.publish(topics.deviceEvents(dev.id), JSON.stringify({ id: randomUUID(), type: 'button.pressed' }), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
  );
  const t2 = performance.now();
  c.end(true);
  return { connectMs: t1 - t0, pubackMs: t2 - t1 };
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN);
const fmt = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 0.5).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms` : 'none');

async function scenario(name: string, spread: boolean, net: number) {
  const natAddress = `127.0.${net}.1`; // one of the attackers' addresses
  const { devices } = await provisionResident(db, ['pendant', ...Array.from({ length: seconds + 2 }, () => 'pendant' as const)]);
  const [nat, ...fresh] = devices;
  // before the flood: the NAT pendant's secret is verified once; a fresh pendant's uncached connect
  const quiet = await pendantRound(natAddress, nat!);
  const quietFresh = await pendantRound(`127.0.${net + 1}.250`, fresh.pop()!);
  const checks0 = auth.scryptChecks;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'attacker', '--port', String(port), '--seconds', String(seconds), '--connections', String(connections), '--known-id', nat!.id, '--net', String(net), ...(spread ? ['--spread'] : [])], {
    execArgv: ['--import', 'tsx'],
  });
  const report = new Promise<{ codes: Record<string, number>; cpuS: number }>((resolve) => child.once('message', (m) => resolve(m as never)));
  const natRounds: Array<{ connectMs: number; pubackMs: number } | string> = [];
  const freshRounds: Array<{ connectMs: number; pubackMs: number } | string> = [];
  await new Promise((r) => setTimeout(r, 1_000)); // the child starts and the flood is on
  for (let s = 0; s < seconds - 2; s++) {
    const tick = new Promise((r) => setTimeout(r, 1_000));
    const [a, b] = await Promise.all([pendantRound(natAddress, nat!), pendantRound(`127.0.${net + 1}.${s + 1}`, fresh[s]!)]);
    natRounds.push(a);
    freshRounds.push(b);
    await tick;
  }
  const { codes: got, cpuS } = await report;
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const checks = auth.scryptChecks - checks0;
  const total = Object.values(got).reduce((a, b) => a + b, 0);
  const ok = (rs: typeof natRounds) => rs.filter((r): r is { connectMs: number; pubackMs: number } => typeof r !== 'string');
  const failed = (rs: typeof natRounds) => rs.filter((r): r is string => typeof r === 'string');
  console.log(`\n== ${name}: ${connections} connections of wrong secrets for ~${seconds} s (${args.db} database)`);
  console.log(`wrong CONNECTs answered: ${(total / seconds).toFixed(0)}/s (${total} in all; by CONNACK code ${JSON.stringify(got)})`);
  console.log(`scrypt checks run:       ${(checks / wall).toFixed(1)}/s (${checks} in ${wall.toFixed(1)} s, pendants' own included)`);
  console.log(`broker CPU:              ${((cpu.user + cpu.system) / 1e6 / wall).toFixed(2)} cores (this process: gateway, database client, the two pendants); the flooding process ${(cpuS / wall).toFixed(2)} cores`);
  console.log(`before the flood:        verified pendant connect ${quiet === null || typeof quiet === 'string' ? quiet : `${quiet.connectMs.toFixed(0)} ms`}; never-seen pendant connect ${typeof quietFresh === 'string' ? quietFresh : `${quietFresh.connectMs.toFixed(0)} ms`}`);
  console.log(`pendant behind the attackers' address (verified before): ${ok(natRounds).length}/${natRounds.length} in; connect ${fmt(ok(natRounds).map((r) => r.connectMs))}; PUBACK ${fmt(ok(natRounds).map((r) => r.pubackMs))}${failed(natRounds).length ? `; refused: ${failed(natRounds).join(', ')}` : ''}`);
  console.log(`never-seen pendants from their own addresses:           ${ok(freshRounds).length}/${freshRounds.length} in; connect ${fmt(ok(freshRounds).map((r) => r.connectMs))}; PUBACK ${fmt(ok(freshRounds).map((r) => r.pubackMs))}${failed(freshRounds).length ? `; refused: ${failed(freshRounds).join(', ')}` : ''}`);
}

try {
  await scenario('one source address', false, 50);
  await scenario(`${connections} source addresses`, true, 60);
} finally {
  await gw.close();
  await cleanup();
}
