import { randomUUID } from 'node:crypto';
// Raw MQTT 3.1.1 packets and sockets, for tests (and bench/) that need what mqtt.js will not do:
// stop reading, stop pinging, stop half-way through a packet, speak another protocol level.
// Section numbers are those of the MQTT 3.1.1 specification (OASIS, 2014).
// No vitest here: bench/ runs these under plain node. Callers assert on what is returned.
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { Alert } from '../../contract/device-messages.ts';
import type { Db } from '../../db/types.ts';
import type { ConnectionLimitOptions } from '../../gateway/listeners.ts';
import { startGateway, type RunningGateway } from './gateway-harness.ts';

// ---- packets -------------------------------------------------------------------------------

/** A UTF-8 encoded string: 2-byte big-endian length, then the bytes [MQTT-1.5.3]. */
export function mqttString(s: string | Buffer): Buffer {
  const b = Buffer.from(s);
  if (b.length > 0xffff) throw new RangeError(`an MQTT string holds at most 65535 bytes, not ${b.length}`);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** The largest remaining length four bytes encode [MQTT-2.2.3]. */
export const MAX_REMAINING_LENGTH = 268_435_455;

/**
 * A whole packet: the fixed header's first byte (type and flags) [MQTT-2.2.1, 2.2.2], the
 * remaining length (7 bits a byte, low first, the top bit set on all but the last; 1 to 4
 * bytes) [MQTT-2.2.3], then `body` (variable header and payload).
 */
export function frame(header: number, body: Buffer): Buffer {
  if (body.length > MAX_REMAINING_LENGTH) throw new RangeError(`remaining length ${body.length} exceeds ${MAX_REMAINING_LENGTH}`);
  const len: number[] = [];
  let n = body.length;
  do {
    len.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.concat([Buffer.from([header, ...len]), body]);
}

export interface ConnectOptions {
  /** Keep alive in seconds, 0 for none [MQTT-3.1.2.10]. Default 0. */
  keepaliveS?: number;
  /** Protocol level: 4 is 3.1.1 [MQTT-3.1.2.2], 5 is MQTT 5. Default 4. */
  protocolLevel?: number;
  /** The clean session flag [MQTT-3.1.2.4]. Default true. */
  clean?: boolean;
  /** Bytes placed after the keep alive, where MQTT 5 has its properties; none unless given. */
  properties?: Buffer;
}

/**
 * CONNECT [MQTT-3.1] with client id and user name both `id`, password `secret`: flags user name,
 * password and (by default) clean session [MQTT-3.1.2.3]; no will.
 */
export function connectPacket(id: string, secret: string, opts: ConnectOptions = {}): Buffer {
  const { keepaliveS = 0, protocolLevel = 4, clean = true, properties } = opts;
  const flags = 0x80 | 0x40 | (clean ? 0x02 : 0);
  return frame(
    0x10,
    Buffer.concat([
      mqttString('MQTT'),
      Buffer.from([protocolLevel, flags, keepaliveS >> 8, keepaliveS & 0xff]),
      properties ?? Buffer.alloc(0),
      mqttString(id),
      mqttString(id),
      mqttString(secret),
    ]),
  );
}

/** SUBSCRIBE to one topic filter [MQTT-3.8]; its fixed header's flags are 0010 [MQTT-3.8.1-1]. */
export function subscribePacket(topic: string, opts: { packetId?: number; qos?: 0 | 1 | 2 } = {}): Buffer {
  const { packetId = 1, qos = 1 } = opts;
  return frame(0x82, Buffer.concat([Buffer.from([packetId >> 8, packetId & 0xff]), mqttString(topic), Buffer.from([qos])]));
}

/** PUBLISH at QoS 1 [MQTT-3.3]: topic, packet identifier, payload. */
export function publishPacket(topic: string, payload: string | Buffer, packetId = 1): Buffer {
  return frame(0x32, Buffer.concat([mqttString(topic), Buffer.from([packetId >> 8, packetId & 0xff]), Buffer.from(payload)]));
}

/** The length of the answers to `connectPacket` + `subscribePacket`: CONNACK (4 bytes) [MQTT-3.2], SUBACK for one filter (5) [MQTT-3.9]. */
export const HANDSHAKE_BYTES = 9;

// ---- sockets -------------------------------------------------------------------------------

export interface RawSubscriber {
  socket: Socket;
  /** The bytes read before this resolved: at least the CONNACK and SUBACK, unchecked. */
  handshake: Buffer;
  /** Resolves when the socket has closed; a reset ('error' first) is a close too. */
  closed: Promise<void>;
}

/**
 * A device over a raw TCP socket: CONNECT (clean session, `keepaliveS`, default 0), SUBSCRIBE
 * QoS 1 to `topic`, and the answers read. What it does next is the caller's.
 */
export async function rawSubscriber(
  port: number,
  dev: { id: string; secret: string },
  topic: string,
  opts: { keepaliveS?: number } = {},
): Promise<RawSubscriber> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve())); // not events.once: that rejects on 'error'
  await once(socket, 'connect');
  socket.write(Buffer.concat([connectPacket(dev.id, dev.secret, { keepaliveS: opts.keepaliveS ?? 0 }), subscribePacket(topic)]));
  let got = Buffer.alloc(0);
  while (got.length < HANDSHAKE_BYTES) got = Buffer.concat([got, (await once(socket, 'data'))[0] as Buffer]);
  return { socket, handshake: got, closed };
}

/**
 * A subscriber (keepalive 0) that stops reading once subscribed: a wrist app frozen, a phone
 * asleep mid-connection. A socket that is not read does not see the broker close it either:
 * `readToClose` reads again (the backlog, then the end) and resolves once it has closed.
 */
export async function frozenSubscriber(port: number, dev: { id: string; secret: string }, topic: string) {
  const sub = await rawSubscriber(port, dev, topic);
  sub.socket.pause();
  return {
    ...sub,
    readToClose: async () => {
      sub.socket.on('data', () => undefined).resume();
      await sub.closed;
    },
  };
}

// ---- a gateway with chosen connection limits ---------------------------------------------------

/**
 * The gateway and its MQTT listeners (TCP and WebSocket, ports picked) with `limits`, the
 * defaults for the rest; payloads up to 16 KB, packets 64 KB. Its log lines (JSON) go to `lines`.
 */
export async function startLimitedGateway(
  db: Db,
  limits: ConnectionLimitOptions,
  log: { lines: string[]; level?: pino.Level },
): Promise<RunningGateway> {
  const logger = pino({ level: log.level ?? 'warn' }, { write: (line: string) => void log.lines.push(line) });
  return startGateway(db, { limits, logger });
}

/** An urgent alarm.alert for a wrist; long `notes` make a large one, to fill a frozen socket. */
export const alertFor = (alarmId: string, notes: string | null = null, residentId = 'r1'): Alert => ({
  type: 'alarm.alert',
  alarmId,
  priority: 'urgent',
  kind: 'button.pressed',
  resident: { id: residentId, name: 'Huang Xueying', address: '12 Jade Lane', grid: 'G1', notes },
  raisedAt: new Date().toISOString(),
  step: 1,
  acceptBy: new Date(Date.now() + 60_000).toISOString(),
});

/** An mqtt.js client whose socket comes from `localAddress` (127.x.y.z): a device behind another address. */
export function connectFrom(port: number, localAddress: string, dev: { id: string; secret: string }, connectTimeout = 10_000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = new MqttClient(() => tcpConnect({ port, host: '127.0.0.1', localAddress }) as never, {
      username: dev.id,
      password: dev.secret,
      clientId: `${dev.id}-${randomUUID().slice(0, 6)}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout,
    });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => (c.end(true), reject(err)));
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}
