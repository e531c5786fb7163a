import { createHash } from 'node:crypto';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import type { DeviceCommand, RejectCode } from '../contract/device-messages.ts';
import type { DeviceIdentity, ReceivedAck, ReceivedEvent, StatusChange } from '../contract/received.ts';
import { topics } from '../contract/topics.ts';
import { insertEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { IngestQueue } from './ingest-queue.ts';
import { PresenceWriter } from './presence-writer.ts';
import { validateAck, validateEvent, validateStatus } from './validate-payload.ts';

/** @deprecated the contract owns these: import them from contract/received.ts. */
export type { ReceivedAck, ReceivedEvent, StatusChange };

/** A listener may return a promise: the message is acknowledged only once it settles. */
export type Listener<T> = (value: T) => void | Promise<void>;

export interface IntakeListeners {
  event?: Listener<ReceivedEvent>;
  ack?: Listener<ReceivedAck>;
  status?: Listener<StatusChange>;
}

const crash = (err: unknown) =>
  process.nextTick(() => {
    throw err;
  });

/**
 * A listener is our own code: if it throws (or its promise rejects), that is a bug to crash on
 * loudly (the supervisor restarts us), not a reason to refuse the device's message.
 */
function emit<T>(listeners: ReadonlyArray<Listener<T>>, value: T): Promise<void> | undefined {
  let pending: Array<Promise<void>> | undefined;
  for (const l of listeners) {
    try {
      const r = l(value);
      if (r) (pending ??= []).push(r);
    } catch (err) {
      crash(err);
    }
  }
  if (!pending) return undefined;
  return Promise.all(pending).then(
    () => undefined,
    (err: unknown) => {
      crash(err);
      return new Promise<void>(() => undefined); // never acknowledged: we are going down
    },
  );
}

/** What a broker transport (embedded aedes, or an external broker) hands in and gets back. */
export interface DeviceLink {
  onEvent(listener: Listener<ReceivedEvent>): void;
  onAck(listener: Listener<ReceivedAck>): void;
  onStatus(listener: Listener<StatusChange>): void;
  publishToDevice(deviceId: string, command: DeviceCommand): Promise<void>;
  publishToWearable(wearableId: string, message: Record<string, unknown>): Promise<void>;
  revokeDevice(deviceId: string): void;
  health(): { ok: boolean; detail: string };
  close(): Promise<void>;
}

export interface IntakeOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
  /** How error reports reach a device's `commands` topic on this transport. */
  sendCommand: (deviceId: string, command: DeviceCommand) => Promise<void>;
  /** Registered before any message can arrive (an external broker may deliver at once). */
  listeners?: IntakeListeners | undefined;
}

/** Outcome of a message: `valid: false` means it was discarded (and reported to the device). */
export type Intake = { valid: boolean };

/**
 * Transport-independent handling of what devices send: validate, hand valid events to
 * listeners at once (safety first) and to the group-commit queue (durable before ack),
 * record presence, and report rejects to the device.
 */
export class MessageIntake {
  readonly ingest: IngestQueue;
  private readonly presence: PresenceWriter;
  private readonly eventListeners: Array<Listener<ReceivedEvent>> = [];
  private readonly ackListeners: Array<Listener<ReceivedAck>> = [];
  private readonly statusListeners: Array<Listener<StatusChange>> = [];

  constructor(private readonly opts: IntakeOptions) {
    this.ingest = new IngestQueue({ store: (rows) => insertEvents(opts.db, rows), logger: opts.logger, metrics: opts.metrics });
    this.presence = new PresenceWriter(opts.db, opts.logger);
    const l = opts.listeners;
    if (l?.event) this.onEvent(l.event);
    if (l?.ack) this.onAck(l.ack);
    if (l?.status) this.onStatus(l.status);
  }

  onEvent(listener: Listener<ReceivedEvent>): void {
    this.eventListeners.push(listener);
  }
  onAck(listener: Listener<ReceivedAck>): void {
    this.ackListeners.push(listener);
  }
  onStatus(listener: Listener<StatusChange>): void {
    this.statusListeners.push(listener);
  }

  /**
   * Resolves when the message may be acknowledged: for a valid QoS 1 event, once committed.
   * Rejects only under backpressure (then it must not be acknowledged; the sender resends).
   */
  async event(who: DeviceIdentity, payload: Buffer, qos: number): Promise<Intake> {
    const receivedAt = new Date();
    const v = validateEvent(payload, this.opts.maxPayloadBytes);
    if (!v.ok) return this.reject(who, 'events', v.code, v.message, v.eventId);
    const event = v.value;
    this.opts.metrics.eventsReceived.inc({ type: event.type });
    const fingerprint = createHash('sha256').update(`${event.type}|${event.ts ?? ''}|${JSON.stringify(event.data)}`).digest('base64url').slice(0, 22);
    const stored = this.ingest.enqueue({
      deviceId: who.deviceId,
      eventId: event.id,
      fingerprint,
      type: event.type,
      deviceTs: event.ts,
      receivedAt,
      data: event.data,
    });
    // safety first: listeners (the dispatcher) see the event now, in parallel with the write
    const handled = emit(this.eventListeners, { device: who, event, fingerprint, receivedAt });
    if (qos === 0) {
      stored.catch((err: Error) => this.opts.logger.warn({ err: err.message, deviceId: who.deviceId }, 'QoS 0 event dropped'));
      return { valid: true };
    }
    // [MQTT-4.3.2-2] the PUBACK means we own the message: here, once it is committed (and
    // whatever the dispatcher made of it, e.g. the alarm it opened, is committed too)
    const [result] = await Promise.all([stored, handled]);
    if (result.refused) return this.reject(who, 'events', 'invalid_event', 'the event could not be stored', event.id);
    return { valid: true };
  }

  async status(who: DeviceIdentity, payload: Buffer): Promise<Intake> {
    const at = new Date();
    const v = validateStatus(payload, this.opts.maxPayloadBytes);
    if (!v.ok) return this.reject(who, 'status', v.code, v.message);
    const s = v.value;
    await this.presence.write(who.deviceId, { online: s.online, battery: s.battery, rssi: s.rssi, fw: s.fw, at }, () =>
      emit(this.statusListeners, { deviceId: who.deviceId, online: s.online, status: s, at }),
    );
    return { valid: true };
  }

  ack(who: DeviceIdentity, payload: Buffer): Promise<Intake> {
    const receivedAt = new Date();
    const v = validateAck(payload, this.opts.maxPayloadBytes);
    if (!v.ok) return this.reject(who, 'acks', v.code, v.message);
    // acknowledged once handled: an accept lost in a crash is resent by the wearable
    const handled = emit(this.ackListeners, { device: who, ack: v.value, receivedAt });
    return handled ? handled.then(() => ({ valid: true })) : Promise.resolve({ valid: true });
  }

  /** A connection came or went (transports that can see connections). */
  presenceChange(deviceId: string, online: boolean): void {
    const at = new Date();
    void this.presence.write(deviceId, { online, at }, () => emit(this.statusListeners, { deviceId, online, at }));
  }

  /** A message from a device this database does not know (external brokers only). */
  unknownDevice(deviceId: string, topic: string): Intake {
    this.opts.metrics.messagesRejected.inc({ code: 'unknown_device' });
    this.opts.logger.warn({ deviceId, topic }, 'message from an unprovisioned device discarded');
    return { valid: false };
  }

  async close(drainTimeoutMs: number): Promise<void> {
    const drained = await this.ingest.drain(drainTimeoutMs);
    if (!drained) {
      this.opts.logger.error({ pending: this.ingest.size }, 'shutdown: events still uncommitted (not acknowledged; devices will resend)');
    }
    await this.presence.settle();
  }

  private reject(who: DeviceIdentity, kind: 'events' | 'status' | 'acks', code: RejectCode, message: string, eventId?: string): Promise<Intake> {
    this.opts.metrics.messagesRejected.inc({ code });
    this.opts.logger.warn({ deviceId: who.deviceId, kind, code, reason: message, eventId }, 'mqtt message rejected');
    const topic = kind === 'acks' ? topics.wearableAcks(who.deviceId) : kind === 'status' ? topics.deviceStatus(who.deviceId) : topics.deviceEvents(who.deviceId);
    const command: DeviceCommand = { type: 'error', code, message, topic, ...(eventId !== undefined && { eventId }) };
    this.opts.sendCommand(who.deviceId, command).catch((err) => this.opts.logger.warn({ err }, 'error report not delivered'));
    // acknowledged and discarded, so the device does not resend the same bad message forever
    return Promise.resolve({ valid: false });
  }
}
