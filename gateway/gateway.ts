import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import type { DeviceCommand, DeviceEvent, DeviceStatus, RejectCode, WearableAck } from '../contract/device-messages.ts';
import { topics } from '../contract/topics.ts';
import { insertEvents } from '../db/queries/events.ts';
import type { Db } from '../db/types.ts';
import { authorisePublishTopic, authoriseSubscribeFilter, type DeviceIdentity } from './acl.ts';
import { DeviceAuthenticator } from './device-auth.ts';
import { IngestQueue } from './ingest-queue.ts';
import { PresenceWriter } from './presence-writer.ts';
import { validateAck, validateEvent, validateStatus } from './validate-payload.ts';

export interface ReceivedEvent {
  device: DeviceIdentity;
  event: DeviceEvent;
  receivedAt: Date;
}
export interface ReceivedAck {
  device: DeviceIdentity;
  ack: WearableAck;
  receivedAt: Date;
}
export interface StatusChange {
  deviceId: string;
  online: boolean;
  status?: DeviceStatus;
  at: Date;
}

export interface GatewayOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
}

const NOT_AUTHORIZED = 5;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;

function refuse(returnCode: number, message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

/**
 * The device-facing MQTT broker: authentication, topic ACL, payload validation, durable
 * ingest (QoS 1 PUBACK after commit), duplicate suppression and presence.
 */
export class Gateway {
  readonly aedes: Aedes;
  readonly ingest: IngestQueue;
  private readonly auth: DeviceAuthenticator;
  private readonly presence: PresenceWriter;
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private readonly connections = new Map<string, Set<Client>>();
  /** clientId → device that owns its session, so one device cannot take over another's. */
  private readonly sessionOwners = new Map<string, string>();
  private readonly eventListeners: Array<(e: ReceivedEvent) => void> = [];
  private readonly ackListeners: Array<(a: ReceivedAck) => void> = [];
  private readonly statusListeners: Array<(s: StatusChange) => void> = [];

  static async create(opts: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(opts);
    await gateway.aedes.listen(); // aedes 1.x: sets up its persistence and $SYS before serving
    return gateway;
  }

  private constructor(private readonly opts: GatewayOptions) {
    const { db, logger, metrics } = opts;
    this.auth = new DeviceAuthenticator(db);
    this.presence = new PresenceWriter(db, logger);
    this.ingest = new IngestQueue({ store: (rows) => insertEvents(db, rows), logger, metrics });
    this.aedes = new Aedes({
      id: 'homecare-gateway',
      authenticate: (client, username, password, done) => void this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
    });
    this.aedes.on('clientReady', (client) => this.onConnected(client));
    this.aedes.on('clientDisconnect', (client) => this.onDisconnected(client));
    this.aedes.on('clientError', (client, err) => logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    this.aedes.on('connectionError', (client, err) => logger.debug({ clientId: client?.id, err: err.message }, 'mqtt connection error'));
  }

  onEvent(listener: (e: ReceivedEvent) => void): void {
    this.eventListeners.push(listener);
  }
  onAck(listener: (a: ReceivedAck) => void): void {
    this.ackListeners.push(listener);
  }
  onStatus(listener: (s: StatusChange) => void): void {
    this.statusListeners.push(listener);
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  isOnline(deviceId: string): boolean {
    return (this.connections.get(deviceId)?.size ?? 0) > 0;
  }

  publishToDevice(deviceId: string, command: DeviceCommand): Promise<void> {
    return this.publish(topics.deviceCommands(deviceId), command);
  }

  publishToWearable(wearableId: string, message: Record<string, unknown>): Promise<void> {
    return this.publish(topics.wearableAlerts(wearableId), message);
  }

  /** Deleted or re-keyed device: forget its verified secret and drop its connections. */
  revokeDevice(deviceId: string): void {
    this.auth.forget(deviceId);
    for (const client of this.connections.get(deviceId) ?? []) client.close();
  }

  async close(drainTimeoutMs = 10_000): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    const drained = await this.ingest.drain(drainTimeoutMs);
    if (!drained) this.opts.logger.error({ pending: this.ingest.size }, 'shutdown: events still uncommitted (not acknowledged; devices will resend)');
    await this.presence.settle();
  }

  private publish(topic: string, message: unknown): Promise<void> {
    const payload = Buffer.from(JSON.stringify(message));
    return new Promise((resolve, reject) =>
      this.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
    );
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: (Error & { returnCode: number }) | null, ok: boolean | null) => void,
  ): Promise<void> {
    const { logger, metrics } = this.opts;
    try {
      const outcome = await this.auth.authenticate(username, password);
      if (!outcome.ok) {
        metrics.mqttConnectRefused.inc({ reason: outcome.reason });
        logger.warn({ clientId: client.id, username, reason: outcome.reason }, 'mqtt connect refused');
        return done(refuse(NOT_AUTHORIZED, 'not authorised'), null);
      }
      const owner = this.sessionOwners.get(client.id);
      if (owner !== undefined && owner !== outcome.identity.deviceId) {
        metrics.mqttConnectRefused.inc({ reason: 'client_id_taken' });
        logger.warn({ clientId: client.id, username, owner }, 'mqtt connect refused: clientId belongs to another device');
        return done(refuse(IDENTIFIER_REJECTED, 'client id in use by another device'), null);
      }
      this.sessionOwners.set(client.id, outcome.identity.deviceId);
      this.identities.set(client, outcome.identity);
      done(null, true);
    } catch (err) {
      metrics.mqttConnectRefused.inc({ reason: 'server_unavailable' });
      logger.error({ err, clientId: client.id, username }, 'mqtt authentication failed: database unavailable');
      done(refuse(SERVER_UNAVAILABLE, 'server unavailable'), null);
    }
  }

  private authorizeSubscribe(client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void): void {
    const who = this.identities.get(client);
    if (who && authoriseSubscribeFilter(who, sub.topic)) return done(null, sub);
    this.opts.metrics.mqttAclDenied.inc({ action: 'subscribe' });
    this.opts.logger.warn({ deviceId: who?.deviceId, clientId: client.id, topic: sub.topic }, 'mqtt subscribe refused by ACL');
    done(null, null); // SUBACK 0x80 for this filter
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    if (client === null) return done(null); // our own publishes
    const who = this.identities.get(client);
    const target = who && authorisePublishTopic(who, packet.topic);
    if (!who || !target) {
      this.opts.metrics.mqttAclDenied.inc({ action: 'publish' });
      this.opts.logger.warn({ deviceId: who?.deviceId, clientId: client.id, topic: packet.topic }, 'mqtt publish refused by ACL; disconnecting');
      return done(new Error('topic not allowed'));
    }
    const isWill = packet === (client as unknown as { will?: unknown }).will;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const receivedAt = new Date();
    if (target.kind === 'events') {
      packet.retain = false; // events are never retained
      const v = validateEvent(payload, this.opts.maxPayloadBytes);
      if (!v.ok) return this.reject(who, packet.topic, v.code, v.message, v.eventId, done);
      this.acceptEvent(who, v.value, receivedAt, packet.qos, done);
    } else if (target.kind === 'status') {
      const v = validateStatus(payload, this.opts.maxPayloadBytes);
      if (!v.ok) {
        packet.retain = false; // never keep a malformed status as the retained one
        return this.reject(who, packet.topic, v.code, v.message, undefined, done);
      }
      if (isWill && this.hasOtherConnection(who.deviceId, client)) return done(new Error('stale will')); // not published
      this.applyStatus(who.deviceId, v.value, receivedAt).then(() => done(null), done);
    } else {
      packet.retain = false;
      const v = validateAck(payload, this.opts.maxPayloadBytes);
      if (!v.ok) return this.reject(who, packet.topic, v.code, v.message, undefined, done);
      for (const l of this.ackListeners) l({ device: who, ack: v.value, receivedAt });
      done(null);
    }
  }

  private acceptEvent(who: DeviceIdentity, event: DeviceEvent, receivedAt: Date, qos: number, done: (err?: Error | null) => void): void {
    this.opts.metrics.eventsReceived.inc({ type: event.type });
    // Safety first: listeners (the dispatcher) see the event now, in parallel with the write.
    for (const l of this.eventListeners) l({ device: who, event, receivedAt });
    const stored = this.ingest.enqueue({
      deviceId: who.deviceId,
      eventId: event.id,
      type: event.type,
      deviceTs: event.ts,
      receivedAt,
      data: event.data,
    });
    if (qos === 0) {
      stored.catch((err) => this.opts.logger.warn({ err, deviceId: who.deviceId }, 'QoS 0 event dropped'));
      return done(null);
    }
    // [MQTT-4.3.2-2] PUBACK only once we own the message: here, once it is committed.
    stored.then(
      () => done(null),
      (err: Error) => {
        this.opts.logger.warn({ err: err.message, deviceId: who.deviceId }, 'event refused under backpressure; device will resend');
        done(err);
      },
    );
  }

  private reject(
    who: DeviceIdentity,
    topic: string,
    code: RejectCode,
    message: string,
    eventId: string | undefined,
    done: (err?: Error | null) => void,
  ): void {
    this.opts.metrics.messagesRejected.inc({ code });
    this.opts.logger.warn({ deviceId: who.deviceId, topic, code, reason: message, eventId }, 'mqtt message rejected');
    const command: DeviceCommand = { type: 'error', code, message, topic, ...(eventId !== undefined && { eventId }) };
    this.publishToDevice(who.deviceId, command).catch((err) => this.opts.logger.warn({ err }, 'error report not delivered'));
    // Acknowledged and discarded, so the device does not resend the same bad message forever.
    done(null);
  }

  private async applyStatus(deviceId: string, status: DeviceStatus, at: Date): Promise<void> {
    await this.presence.write(deviceId, { online: status.online, battery: status.battery, rssi: status.rssi, fw: status.fw, at });
    for (const l of this.statusListeners) l({ deviceId, online: status.online, status, at });
  }

  private hasOtherConnection(deviceId: string, client: Client): boolean {
    for (const c of this.connections.get(deviceId) ?? []) if (c !== client) return true;
    return false;
  }

  private onConnected(client: Client): void {
    const who = this.identities.get(client);
    if (!who) return;
    let set = this.connections.get(who.deviceId);
    if (!set) this.connections.set(who.deviceId, (set = new Set()));
    set.add(client);
    this.opts.metrics.mqttConnections.inc();
    const at = new Date();
    void this.presence.write(who.deviceId, { online: true, at });
    for (const l of this.statusListeners) l({ deviceId: who.deviceId, online: true, at });
  }

  private onDisconnected(client: Client): void {
    const who = this.identities.get(client);
    if (!who) return;
    const set = this.connections.get(who.deviceId);
    if (!set?.delete(client)) return;
    this.opts.metrics.mqttConnections.dec();
    if (set.size > 0) return;
    this.connections.delete(who.deviceId);
    const at = new Date();
    void this.presence.write(who.deviceId, { online: false, at });
    for (const l of this.statusListeners) l({ deviceId: who.deviceId, online: false, at });
  }
}
