// Measuring clients for bench/alarm-latency.ts, in their own process: residents' pendants and
// caregivers' wearables over real MQTT (mqtt.js, TCP). Every timestamp is taken here, on one
// clock: just before the pendant's PUBLISH, and when an alert reaches a wearable's client.
// Commands (JSON lines on stdin, see line-channel.ts):
//   {cmd:"init", url, latency:{pendants,wearables}, escalation:{pendants,wearables}}
//   {cmd:"latency", samples}          button → first wearable's alarm.alert, one new alarm each
//   {cmd:"escalation", samples}       step-1 alert left unanswered → step-2 alert
//   {cmd:"burst-connect", burst:{pendants,wearables}}   connects the burst grid's clients
//   {cmd:"burst"}                     every burst pendant at once → first alert per resident
//   {cmd:"quit"}
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../contract/topics.ts';
import { serveCommands } from './line-channel.ts';

interface Cred {
  id: string;
  secret: string;
}
interface PendantCred extends Cred {
  residentId: string;
}
interface Group {
  pendants: PendantCred[];
  wearables: Cred[];
}
interface Pendant extends PendantCred {
  client: MqttClient;
}
interface Wearable extends Cred {
  client: MqttClient;
}

/** One message that reached a measuring client, stamped on arrival. */
interface Arrival {
  to: string; // device id of the receiving client
  kind: 'alert' | 'command';
  msg: { type?: string; alarmId?: string; step?: number; acceptBy?: string; resident?: { id?: string } };
  at: number; // performance.now()
  wall: number; // Date.now()
}

const ALERT_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 15_000;
const BURST_TIMEOUT_MS = 30_000; // from the burst: every resident's first alert, or a "no alert"

// Waiters are registered before the message they wait for can be caused, so nothing is missed.
const waiters = new Set<{ match: (a: Arrival) => boolean; done: (a: Arrival | undefined) => void }>();
function waitFor(match: (a: Arrival) => boolean, ms: number): Promise<Arrival | undefined> {
  return new Promise((resolve) => {
    const w = {
      match,
      done: (a: Arrival | undefined) => {
        clearTimeout(timer);
        waiters.delete(w);
        resolve(a);
      },
    };
    const timer = setTimeout(() => w.done(undefined), ms);
    waiters.add(w);
  });
}
function deliver(to: string, kind: Arrival['kind'], payload: Buffer) {
  const at = performance.now();
  const wall = Date.now();
  let msg: Arrival['msg'];
  try {
    msg = JSON.parse(payload.toString()) as Arrival['msg'];
  } catch {
    return;
  }
  const a: Arrival = { to, kind, msg, at, wall };
  for (const w of [...waiters]) if (w.match(a)) w.done(a);
}

let url = '';
const connect = (c: Cred) =>
  new Promise<MqttClient>((resolve, reject) => {
    const client = mqtt.connect(url, { username: c.id, password: c.secret, clientId: c.id, reconnectPeriod: 0, connectTimeout: 10_000, protocolVersion: 4, clean: true });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });

async function connectPendant(p: PendantCred): Promise<Pendant> {
  const client = await connect(p);
  const commands = topics.deviceCommands(p.id);
  client.on('message', (topic, payload) => topic === commands && deliver(p.id, 'command', payload));
  await client.subscribeAsync(commands, { qos: 1 });
  await client.publishAsync(topics.deviceStatus(p.id), JSON.stringify({ online: true, battery: 0.9 }), { qos: 1, retain: true });
  return { ...p, client };
}

async function connectWearable(w: Cred): Promise<Wearable> {
  const client = await connect(w);
  const alerts = topics.wearableAlerts(w.id);
  client.on('message', (topic, payload) => topic === alerts && deliver(w.id, 'alert', payload));
  await client.subscribeAsync(alerts, { qos: 1 });
  // the PUBACK comes once the dispatcher knows the wrist is online (routing prefers it to SMS)
  await client.publishAsync(topics.deviceStatus(w.id), JSON.stringify({ online: true, battery: 0.9 }), { qos: 1, retain: true });
  return { ...w, client };
}

let groups: { latency: { pendants: Pendant[]; wearables: Map<string, Wearable> }; escalation: { pendants: Pendant[]; wearables: Map<string, Wearable> } } | undefined;
const seenAlarms = new Set<string>();
let pressErrors = 0;

async function connectGroup(g: Group) {
  const pendants = await Promise.all(g.pendants.map(connectPendant));
  const wearables = await Promise.all(g.wearables.map(connectWearable));
  return { pendants, wearables: new Map(wearables.map((w) => [w.id, w])) };
}

/** Presses the pendant; resolves with the press time and the first new alert for its resident. */
async function press(p: Pendant, ms = ALERT_TIMEOUT_MS): Promise<{ t0: number; alert: Arrival | undefined }> {
  const alerted = waitFor(
    (a) => a.kind === 'alert' && a.msg.type === 'alarm.alert' && a.msg.resident?.id === p.residentId && !seenAlarms.has(a.msg.alarmId ?? ''),
    ms,
  );
  const payload = JSON.stringify({ id: randomUUID(), type: 'button.pressed', ts: new Date().toISOString(), data: { button: 'pendant' } });
  const t0 = performance.now();
  p.client.publish(topics.deviceEvents(p.id), payload, { qos: 1 }, (err) => {
    if (err) pressErrors++;
  });
  const alert = await alerted;
  if (alert) seenAlarms.add(alert.msg.alarmId!);
  return { t0, alert };
}

/** The wearable accepts and resolves; true once the pendant hears that the alarm is closed. */
async function acceptAndResolve(w: Wearable, p: Pendant, alarmId: string): Promise<boolean> {
  const closed = waitFor((a) => a.kind === 'command' && a.to === p.id && a.msg.type === 'alarm.resolved' && a.msg.alarmId === alarmId, CLOSE_TIMEOUT_MS);
  const acks = topics.wearableAcks(w.id);
  // the gateway PUBACKs an ack once the dispatcher has committed it: accept is in before resolve
  await w.client.publishAsync(acks, JSON.stringify({ alarmId, action: 'accept', ts: new Date().toISOString() }), { qos: 1 });
  await w.client.publishAsync(acks, JSON.stringify({ alarmId, action: 'resolve', outcome: 'false_alarm', ts: new Date().toISOString() }), { qos: 1 });
  return (await closed) !== undefined;
}

async function latency(samples: number) {
  const g = groups!.latency;
  const ms: number[] = [];
  let timeouts = 0;
  let unclosed = 0;
  const errorsBefore = pressErrors;
  for (let i = 0; i < samples; i++) {
    // rotate over residents too: a press that somehow found an alarm still open would join it
    const p = g.pendants[i % g.pendants.length]!;
    const { t0, alert } = await press(p);
    if (!alert) {
      timeouts++;
      continue;
    }
    ms.push(alert.at - t0);
    if (!(await acceptAndResolve(g.wearables.get(alert.to)!, p, alert.msg.alarmId!))) unclosed++;
    await sleep(Math.random() * 20); // do not press in lockstep with anything periodic
  }
  return { ms, timeouts, unclosed, publishErrors: pressErrors - errorsBefore };
}

async function escalation(samples: number) {
  const g = groups!.escalation;
  const gaps: number[] = []; // step-2 alert arrival − step-1 alert arrival
  const pastDeadline: number[] = []; // step-2 alert arrival (wall clock) − step-1 acceptBy
  const firstAlert: number[] = [];
  let timeouts = 0;
  let unclosed = 0;
  for (let i = 0; i < samples; i++) {
    const p = g.pendants[i % g.pendants.length]!;
    const { t0, alert: step1 } = await press(p);
    if (!step1 || step1.msg.step !== 1) {
      timeouts++;
      continue;
    }
    firstAlert.push(step1.at - t0);
    const acceptBy = Date.parse(step1.msg.acceptBy ?? '');
    const waitMs = acceptBy - step1.wall;
    // nobody answers step 1: the next step's alert is due at its deadline
    const step2 = await waitFor(
      (a) => a.kind === 'alert' && a.msg.type === 'alarm.alert' && a.msg.alarmId === step1.msg.alarmId && (a.msg.step ?? 0) >= 2,
      Math.max(0, waitMs) + ALERT_TIMEOUT_MS,
    );
    if (!step2) {
      timeouts++;
      continue;
    }
    gaps.push(step2.at - step1.at);
    pastDeadline.push(step2.wall - acceptBy);
    if (!(await acceptAndResolve(g.wearables.get(step2.to)!, p, step1.msg.alarmId!))) unclosed++;
  }
  return { gaps, pastDeadline, firstAlert, timeouts, unclosed };
}

let burstGroup: { pendants: Pendant[]; wearables: Map<string, Wearable> } | undefined;

async function burstConnect(g: Group) {
  // ten at a time, as a real fleet reconnects: each first connect costs the broker an scrypt
  const pendants: Pendant[] = [];
  for (let i = 0; i < g.pendants.length; i += 10) pendants.push(...(await Promise.all(g.pendants.slice(i, i + 10).map(connectPendant))));
  const wearables = await Promise.all(g.wearables.map(connectWearable));
  burstGroup = { pendants, wearables: new Map(wearables.map((w) => [w.id, w])) };
  return { pendants: pendants.length, wearables: wearables.length };
}

/**
 * Every burst pendant presses in one synchronous loop (each stamped just before its PUBLISH);
 * per resident, the first `alarm.alert` naming them at any burst wearable. Nobody answers.
 */
async function burst() {
  const g = burstGroup!;
  const errorsBefore = pressErrors;
  const alerted = g.pendants.map((p) =>
    waitFor((a) => a.kind === 'alert' && g.wearables.has(a.to) && a.msg.type === 'alarm.alert' && a.msg.resident?.id === p.residentId, BURST_TIMEOUT_MS),
  );
  const payloads = g.pendants.map(() => JSON.stringify({ id: randomUUID(), type: 'button.pressed', ts: new Date().toISOString(), data: { button: 'pendant' } }));
  const pubackMs: number[] = [];
  let acked!: () => void;
  const allAcked = new Promise<void>((resolve) => (acked = resolve));
  let outstanding = g.pendants.length;
  const t0 = g.pendants.map((p, i) => {
    const t = performance.now();
    // the gateway PUBACKs a press once the dispatcher has stored its alarm
    p.client.publish(topics.deviceEvents(p.id), payloads[i]!, { qos: 1 }, (err) => {
      if (err) pressErrors++;
      else pubackMs.push(performance.now() - t);
      if (--outstanding === 0) acked();
    });
    return t;
  });
  const alerts = await Promise.all(alerted);
  await Promise.race([allAcked, sleep(BURST_TIMEOUT_MS)]);
  const ms: number[] = [];
  const alarms = new Set<string>();
  const perWearable = new Map([...g.wearables.keys()].map((id) => [id, 0]));
  let laterStep = 0;
  alerts.forEach((a, i) => {
    if (!a) return;
    ms.push(a.at - t0[i]!);
    alarms.add(a.msg.alarmId ?? '');
    perWearable.set(a.to, (perWearable.get(a.to) ?? 0) + 1);
    if (a.msg.step !== 1) laterStep++;
  });
  return {
    ms,
    timeouts: alerts.length - ms.length,
    publishErrors: pressErrors - errorsBefore,
    unacked: outstanding,
    pubackMs,
    spreadMs: (t0.at(-1) ?? 0) - (t0[0] ?? 0),
    alarms: alarms.size,
    laterStep,
    perWearable: [...perWearable.values()].sort((a, b) => b - a),
  };
}

const clientsOf = (g: { pendants: Pendant[]; wearables: Map<string, Wearable> } | undefined) => (g ? [...g.pendants, ...g.wearables.values()] : []);

await serveCommands(
  async (c) => {
    switch (c.cmd) {
      case 'init': {
        url = c.url as string;
        groups = { latency: await connectGroup(c.latency as Group), escalation: await connectGroup(c.escalation as Group) };
        return { ready: true };
      }
      case 'latency':
        return latency(Number(c.samples));
      case 'escalation':
        return escalation(Number(c.samples));
      case 'burst-connect':
        return burstConnect(c.burst as Group);
      case 'burst':
        return burst();
      case 'quit': {
        const all = [...clientsOf(groups?.latency), ...clientsOf(groups?.escalation), ...clientsOf(burstGroup)];
        await Promise.all(all.map((x) => x.client.endAsync().catch(() => undefined)));
        groups = undefined;
        burstGroup = undefined;
        return { closed: all.length };
      }
      default:
        throw new Error(`unknown command ${JSON.stringify(c.cmd)}`);
    }
  },
  async () => {
    const all = [...clientsOf(groups?.latency), ...clientsOf(groups?.escalation), ...clientsOf(burstGroup)];
    await Promise.all(all.map((x) => x.client.endAsync().catch(() => undefined)));
  },
);
