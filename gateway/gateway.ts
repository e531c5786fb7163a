import { randomUUID } from 'node:crypto';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import type { Db } from '../db/types.ts';
import { authorisePublishTopic, authoriseSubscribeFilter, type DeviceIdentity } from './acl.ts';
import type { ConnectLimitOptions } from './connect-limiter.ts';
import { DeviceAuthenticator } from './device-auth.ts';
import { IntakeLink } from './intake-link.ts';
import { cutOffReason } from './mqtt-connection.ts';
import type { IntakeListeners } from './message-intake.ts';
import type { Intake } from './message-intake.ts';

export type { ReceivedAck, ReceivedEvent, StatusChange } from '../contract/received.ts';

export interface GatewayOptions {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
  listeners?: IntakeListeners | undefined;
  /** Live connections one device may hold; a new one beyond this drops the oldest (default 4). */
  maxConnectionsPerDevice?: number | undefined;
  /** Failed-secret buckets and scrypt work bounds (MQTT_AUTH_*; defaults: CONNECT_LIMIT_DEFAULTS). */
  authLimits?: ConnectLimitOptions | undefined;
}

const MAX_CLIENT_ID = 128;
/** Persistent sessions kept per device (a wearable app may hold two); older ones are dropped. */
const MAX_PERSISTENT_SESSIONS = 4;
const MAX_CONNECTIONS_PER_DEVICE = 4;
const NOT_AUTHORIZED = 5;
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;

function refuse(returnCode: number, message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

/**
 * The embedded device-facing broker: authentication, topic ACL and connection presence here;
 * validation, durable ingest and reporting in MessageIntake. aedes holds a QoS 1 PUBACK until
 * authorizePublish calls back, which is how "acknowledged only once committed" is enforced.
 */
export class Gateway extends IntakeLink {
  readonly aedes: Aedes;
  private readonly auth: DeviceAuthenticator;
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private readonly connections = new Map<string, Set<Client>>();
  private closing = false;
  /** device id → its persistent session ids, least recently used first */
  private readonly persistentSessions = new Map<string, string[]>();
  /** Connections whose clientId was unusable: refused at authentication with "identifier rejected". */
  private readonly badClientIds = new WeakSet<Client>();

  static async create(opts: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(opts);
    await gateway.aedes.listen(); // aedes 1.x: sets up its persistence and $SYS before serving
    return gateway;
  }

  private constructor(private readonly opts: GatewayOptions) {
    super(opts);
    const { db, logger } = opts;
    this.auth = new DeviceAuthenticator(db, undefined, opts.authLimits);
    this.aedes = new Aedes({
      id: 'homecare-gateway',
      maxClientsIdLength: 256, // MQTT 3.1 only; ids here are "<device id>/<clientId>" (see preConnect)
      connectTimeout: 10_000, // a socket that never sends CONNECT is dropped
      // Every publish takes one of mqemitter's delivery slots until each subscriber's socket
      // has taken it (lib/write.js waits for 'drain'): with the default 100 slots, a wrist
      // that stops reading held every other wrist's alerts until its drain timeout. Slots are
      // unbounded instead; MqttConnection cuts off a reader that does not drain.
      concurrency: 0,
      preConnect: (client, packet, done) => {
        // Sessions are keyed "<device id>/<clientId>": a clientId is free per device (DESIGN),
        // and no device can take over or squat another's session.
        const clientId = packet.clientId ?? '';
        if (clientId.length > MAX_CLIENT_ID || (clientId === '' && !packet.clean)) this.badClientIds.add(client);
        packet.clientId = `${packet.username ?? ''}/${clientId === '' ? `~${randomUUID()}` : clientId}`;
        done(null, true);
      },
      authenticate: (client, username, password, done) => void this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
    });
    this.aedes.on('clientReady', (client) => this.onConnected(client));
    this.aedes.on('clientDisconnect', (client) => this.onDisconnected(client));
    // a slow reader or a stalled packet: the device's presence goes offline with the connection
    this.aedes.on('clientError', (client, err) => {
      const reason = cutOffReason(err);
      if (!reason) return logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
      opts.metrics.mqttConnectionsDropped.inc({ reason });
      logger.warn({ deviceId: this.identities.get(client)?.deviceId, clientId: client.id, reason, detail: err.message }, 'mqtt connection cut off');
    });
    this.aedes.on('connectionError', (client, err) => {
      const reason = cutOffReason(err);
      if (!reason) return logger.debug({ clientId: client?.id, err: err.message }, 'mqtt connection error');
      opts.metrics.mqttConnectionsDropped.inc({ reason });
      logger.warn({ reason, detail: err.message }, 'mqtt connection cut off before CONNECT completed');
    });
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }
  health(): { ok: boolean; detail: string } {
    return { ok: !this.aedes.closed, detail: `embedded, ${this.connectedClients} clients, ${this.intake.ingest.size} events uncommitted` };
  }

  /** Deleted or re-keyed device: forget its verified secret and drop its connections. */
  revokeDevice(deviceId: string): void {
    this.auth.forget(deviceId);
    for (const client of this.connections.get(deviceId) ?? []) client.close();
  }

  async close(drainTimeoutMs = 10_000): Promise<void> {
    this.closing = true;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await this.intake.close(drainTimeoutMs);
  }

  protected publish(topic: string, message: unknown): Promise<void> {
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
      const source = this.auth.sourceOf(client);
      const outcome = await this.auth.authenticate(username, password, source);
      if (!outcome.ok) {
        metrics.mqttConnectRefused.inc({ reason: outcome.reason });
        // refused unchecked (over the address's failures, or checks saturated): counted, logged at
        // debug only, so a flood does not turn into a flood of log lines
        const unchecked = outcome.reason === 'rate_limited' || outcome.reason === 'busy';
        logger[unchecked ? 'debug' : 'warn']({ clientId: client.id, username, source, reason: outcome.reason }, 'mqtt connect refused');
        if (outcome.reason === 'busy') return done(refuse(SERVER_UNAVAILABLE, 'server unavailable'), null);
        return done(refuse(NOT_AUTHORIZED, 'not authorised'), null);
      }
      if (this.badClientIds.has(client)) {
        metrics.mqttConnectRefused.inc({ reason: 'bad_client_id' });
        logger.warn({ username }, 'mqtt connect refused: clientId too long, or empty with a persistent session');
        return done(refuse(IDENTIFIER_REJECTED, 'client id not acceptable'), null);
      }
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
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    let handled: Promise<Intake>;
    if (target.kind === 'status') {
      const isWill = packet === (client as unknown as { will?: unknown }).will;
      // Not published: a will during our own shutdown (every device would read offline), or
      // one from a connection that another has already replaced.
      if (isWill && (this.closing || this.isReplaced(client))) return done(new Error('will not applicable'));
      handled = this.intake.status(who, payload);
    } else {
      packet.retain = false; // events and acks are never retained
      handled = target.kind === 'events' ? this.intake.event(who, payload, packet.qos) : this.intake.ack(who, payload);
    }
    handled.then(
      (r) => {
        if (!r.valid) packet.retain = false; // never keep a malformed message as the retained one
        done(null);
      },
      (err: Error) => {
        this.opts.logger.warn({ err: err.message, deviceId: who.deviceId }, 'message not accepted now; the device will resend');
        done(err);
      },
    );
  }

  /** The connection currently registered under a session id (aedes keeps this map untyped). */
  private liveClient(sessionId: string): Client | undefined {
    return (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[sessionId];
  }

  private isReplaced(client: Client): boolean {
    const who = this.identities.get(client);
    // the same session taken over (the new connection may not be ready yet) …
    const current = this.liveClient(client.id);
    if (current && current !== client) return true;
    // … or another live connection of the same device
    for (const c of (who && this.connections.get(who.deviceId)) ?? []) if (c !== client) return true;
    return false;
  }

  private onConnected(client: Client): void {
    const who = this.identities.get(client);
    if (!who) return;
    let set = this.connections.get(who.deviceId);
    if (!set) this.connections.set(who.deviceId, (set = new Set()));
    set.add(client);
    this.opts.metrics.mqttConnections.inc();
    this.dropOldestBeyondCap(who.deviceId, set);
    if (!client.clean) this.trackPersistentSession(who.deviceId, client.id);
    this.intake.presenceChange(who.deviceId, true);
  }

  /**
   * A device holds a few connections at most (a wearable app may overlap two while it
   * reconnects); thousands opened with one secret would otherwise all be served.
   */
  private dropOldestBeyondCap(deviceId: string, set: Set<Client>): void {
    const cap = this.opts.maxConnectionsPerDevice ?? MAX_CONNECTIONS_PER_DEVICE;
    const live = [...set].filter((c) => !c.closed); // oldest first: a Set keeps insertion order
    for (const oldest of live.slice(0, Math.max(0, live.length - cap))) {
      this.opts.metrics.mqttConnectionsDropped.inc({ reason: 'connection_cap' });
      this.opts.logger.info({ deviceId, clientId: oldest.id, cap }, 'oldest connection dropped: the device opened more than its cap');
      oldest.close();
    }
  }

  /**
   * Every persistent session queues the device's commands while it is away: a device that
   * keeps inventing clientIds would grow that memory forever, so only the newest few are kept.
   */
  private trackPersistentSession(deviceId: string, sessionId: string): void {
    const ids = (this.persistentSessions.get(deviceId) ?? []).filter((id) => id !== sessionId);
    ids.push(sessionId);
    while (ids.length > MAX_PERSISTENT_SESSIONS) {
      const oldest = ids.shift()!;
      const live = this.liveClient(oldest);
      if (live) live.close();
      const persistence = (this.aedes as unknown as { persistence: { cleanSubscriptions(c: { id: string }, cb: () => void): void } }).persistence;
      persistence.cleanSubscriptions({ id: oldest }, () => undefined);
      this.opts.logger.info({ deviceId, session: oldest }, 'oldest persistent session dropped');
    }
    this.persistentSessions.set(deviceId, ids);
  }

  private onDisconnected(client: Client): void {
    const who = this.identities.get(client);
    if (!who) return;
    const set = this.connections.get(who.deviceId);
    if (!set?.delete(client)) return;
    this.opts.metrics.mqttConnections.dec();
    if (set.size > 0) return;
    this.connections.delete(who.deviceId);
    if (!this.closing) this.intake.presenceChange(who.deviceId, false); // at shutdown, one statement does all
  }
}
