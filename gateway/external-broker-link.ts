import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { TOPIC_ROOT } from '../contract/topics.ts';
import type { Db } from '../db/types.ts';
import { authorisePublishTopic } from './acl.ts';
import { DeviceDirectory } from './device-directory.ts';
import { fullJitterDelay } from '../common/backoff.ts';
import { DbError } from '../db/db-error.ts';
import { IngestBackpressureError } from './ingest-queue.ts';
import { IntakeLink } from './intake-link.ts';
import type { IntakeListeners } from './message-intake.ts';
import type { Intake } from './message-intake.ts';

export interface ExternalLinkOptions {
  url: string;
  /** Instances in the same group split the messages ($share/<group>/…). */
  shareGroup: string;
  /** Parallel subscriber connections: mqtt.js handles one inbound message at a time per connection. */
  lanes: number;
  /** Stable across restarts, so the broker keeps our persistent sessions' messages while we are down. */
  clientIdPrefix: string;
  /** How long the broker keeps our sessions (and queues for them) while we are away. */
  sessionExpirySeconds: number;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  maxPayloadBytes: number;
  listeners?: IntakeListeners | undefined;
}

function isTransient(err: unknown): boolean {
  return err instanceof DbError || err instanceof IngestBackpressureError;
}

const SUBSCRIPTIONS = [`${TOPIC_ROOT}/devices/+/events`, `${TOPIC_ROOT}/devices/+/status`, `${TOPIC_ROOT}/wearables/+/acks`];

/**
 * MQTT_URL mode: devices talk to an external broker (Mosquitto, EMQX, HiveMQ), which does
 * their authentication and per-device ACL. We subscribe through shared subscriptions with
 * persistent sessions and acknowledge each message to the broker only after it is handled
 * (committed, for events) — so a crash before the commit means the broker redelivers.
 */
export class ExternalBrokerLink extends IntakeLink {
  private readonly directory: DeviceDirectory;
  private readonly lanes: MqttClient[] = [];
  private publisher: MqttClient | undefined;
  private closing = false;
  private readonly handling = new Set<Promise<unknown>>();

  static async connect(opts: ExternalLinkOptions): Promise<ExternalBrokerLink> {
    const link = new ExternalBrokerLink(opts);
    await link.start();
    return link;
  }

  private constructor(private readonly opts: ExternalLinkOptions) {
    super(opts);
    this.directory = new DeviceDirectory(opts.db);
  }

  health(): { ok: boolean; detail: string } {
    const up = this.lanes.filter((l) => l.connected).length;
    return { ok: up > 0, detail: `external ${new URL(this.opts.url).host}, ${up}/${this.lanes.length} lanes connected` };
  }

  /** The external broker owns device connections; we only stop trusting our cached identity. */
  revokeDevice(deviceId: string): void {
    this.directory.forget(deviceId);
  }

  async close(drainTimeoutMs = 10_000): Promise<void> {
    // take nothing new (left unacknowledged, the broker redelivers it), commit and acknowledge
    // what is in hand, then leave
    this.closing = true;
    // handlers already running finish first (their messages get acknowledged), within the drain time
    await Promise.race([Promise.allSettled([...this.handling]), new Promise((r) => setTimeout(r, drainTimeoutMs).unref())]);
    await this.intake.close(drainTimeoutMs);
    await Promise.all([...this.lanes, this.publisher!].map((l) => l.endAsync().catch(() => undefined)));
  }

  protected async publish(topic: string, message: unknown): Promise<void> {
    // its own connection: a lane waiting on a handler (which may be sending this very alert)
    // would not read the PUBACK until the handler finished. mqtt.js queues while offline.
    await this.publisher!.publishAsync(topic, JSON.stringify(message), { qos: 1 });
  }

  private async start(): Promise<void> {
    const { logger, shareGroup } = this.opts;
    const filters = SUBSCRIPTIONS.map((t) => `$share/${shareGroup}/${t}`);
    this.publisher = mqtt.connect(this.opts.url, {
      clientId: `${this.opts.clientIdPrefix}-out`,
      clean: true,
      protocolVersion: 5,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
    });
    this.publisher.on('error', (err) => logger.warn({ err: err.message }, 'external broker (outbound) connection error'));
    for (let i = 0; i < this.opts.lanes; i++) {
      const lane = mqtt.connect(this.opts.url, {
        clientId: `${this.opts.clientIdPrefix}-${i}`,
        clean: false,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: this.opts.sessionExpirySeconds },
        reconnectPeriod: 1_000,
        connectTimeout: 10_000,
        customHandleAcks: (topic, payload, packet, done) => {
          if (this.closing) return; // never acknowledged: redelivered to us or a peer
          const handling = this.handleUntilDone(topic, payload, packet).then(
            () => done(0),
            (err: Error) => {
              // shutting down under it (the database already closed): left unacknowledged, redelivered
              if (this.closing) return logger.warn({ err: err.message, topic }, 'message not handled before shutdown; the broker redelivers it');
              // our own bug, not a passing outage: crash loudly (the message is not acknowledged)
              process.nextTick(() => {
                throw err;
              });
            },
          );
          this.handling.add(handling);
          void handling.finally(() => this.handling.delete(handling));
        },
      });
      // QoS 0 messages bypass customHandleAcks
      lane.on('message', (topic, payload, packet) => {
        if (packet.qos !== 0 || this.closing) return;
        this.handle(topic, payload, packet).catch((err: Error) =>
          logger.warn({ err: err.message, topic }, 'QoS 0 message dropped: not handled now'),
        );
      });
      lane.on('connect', (connack) => {
        if (!connack.sessionPresent) void lane.subscribeAsync(filters, { qos: 1 }).catch((err) => logger.error({ err }, 'external broker subscribe failed'));
        logger.info({ lane: i, sessionPresent: connack.sessionPresent }, 'external broker connected');
      });
      lane.on('error', (err) => logger.warn({ lane: i, err: err.message }, 'external broker connection error'));
      lane.on('offline', () => logger.warn({ lane: i }, 'external broker offline; reconnecting'));
      this.lanes.push(lane);
    }
    // start-up waits for the first lane so a wrong MQTT_URL fails clearly instead of silently
    const first = this.lanes[0]!;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no CONNACK from ${new URL(this.opts.url).host} within 10 s`)), 10_000);
      first.once('connect', () => (clearTimeout(timer), resolve()));
      first.once('error', (err) => (clearTimeout(timer), reject(err)));
    }).catch(async (err: Error) => {
      await Promise.all([...this.lanes, this.publisher!].map((l) => l.endAsync(true).catch(() => undefined)));
      throw err;
    });
  }

  /**
   * A failure to look the device up or to accept the event now (database down, backlog full)
   * is waited out here: failing the ack would leave the message neither acknowledged nor
   * redelivered until the connection drops. The lane waits; nothing is lost.
   */
  private async handleUntilDone(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handle(topic, payload, packet);
        return;
      } catch (err) {
        if (!isTransient(err) || this.closing) throw err;
        const delay = fullJitterDelay(attempt, 100, 5_000);
        this.opts.logger.warn({ err: (err as Error).message, topic, retryInMs: delay }, 'message not handled yet; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async handle(topic: string, payload: Buffer, packet: IPublishPacket): Promise<Intake> {
    const id = topic.split('/')[2] ?? '';
    const who = await this.directory.lookup(id);
    if (!who) return this.intake.unknownDevice(id, topic);
    const target = authorisePublishTopic(who, topic);
    if (!target) return this.intake.unknownDevice(id, topic); // e.g. acks from a device that is not a wearable
    if (target.kind === 'events') return this.intake.event(who, payload, packet.qos);
    if (target.kind === 'status') return this.intake.status(who, payload);
    return this.intake.ack(who, payload);
  }
}
