import mqtt, { type MqttClient } from 'mqtt';
import { alertSchema, type WearableAck } from '../../contract/device-messages.ts';
import { topics } from '../../contract/topics.ts';
import type { HomeCaregiver, HomeDeviceInfo } from './home.ts';

/** What the scenario records of what reached a device or a wrist, for its checks. */
export interface Received {
  at: number;
  type: string;
  body: Record<string, unknown>;
}

type Say = (line: string) => void;

async function connect(url: string, id: string, secret: string, will?: boolean): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: `${id}-${Math.random().toString(36).slice(2, 8)}`,
    username: id,
    password: secret,
    protocolVersion: 4,
    clean: true,
    connectTimeout: 10_000,
    reconnectPeriod: 1_000,
    ...(will ? { will: { topic: topics.deviceStatus(id), payload: Buffer.from(JSON.stringify({ online: false })), qos: 1 as const, retain: true } } : {}),
  });
}

function parse(payload: Buffer): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(payload.toString());
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { invalid: payload.toString().slice(0, 80) };
  }
}

/** A resident's device over MQTT: sends events and status, hears its commands. */
export class HomeDevice {
  readonly commands: Received[] = [];
  private seq = 0;

  private constructor(
    readonly info: HomeDeviceInfo,
    private client: MqttClient,
    private readonly url: string,
    private readonly say: Say,
  ) {}

  static async connect(url: string, info: HomeDeviceInfo, say: Say): Promise<HomeDevice> {
    const d = new HomeDevice(info, await connect(url, info.id, info.secret, true), url, say);
    await d.listen();
    return d;
  }

  private async listen(): Promise<void> {
    const topic = topics.deviceCommands(this.info.id);
    this.client.on('message', (t, payload) => {
      if (t !== topic) return;
      const body = parse(payload);
      const type = String(body.type ?? '?');
      this.commands.push({ at: Date.now(), type, body });
      const extra = ['by', 'service', 'at', 'code'].filter((k) => body[k] !== undefined).map((k) => `${k} ${String(body[k])}`);
      this.say(`${this.info.kind} receives ${type}${extra.length ? ` (${extra.join(', ')})` : ''}`);
    });
    await this.client.subscribeAsync(topic, { qos: 1 });
  }

  /** Publishes an event at QoS 1 and waits for the broker's PUBACK (the service has stored it). */
  async send(type: string, data: Record<string, unknown> = {}): Promise<void> {
    const event = { id: `${this.info.id}-${Date.now()}-${++this.seq}`, type, ts: new Date().toISOString(), data };
    this.say(`${this.info.kind} sends ${type}${Object.keys(data).length ? ` ${JSON.stringify(data)}` : ''}`);
    await this.client.publishAsync(topics.deviceEvents(this.info.id), JSON.stringify(event), { qos: 1 });
  }

  async status(status: Record<string, unknown>): Promise<void> {
    this.say(`${this.info.kind} reports status ${JSON.stringify(status)}`);
    await this.client.publishAsync(topics.deviceStatus(this.info.id), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** The device dies: the connection drops without a goodbye (the broker sends its last will). */
  goSilent(): void {
    this.say(`${this.info.kind} goes silent (connection dropped, no goodbye)`);
    this.client.stream.destroy();
    this.client.end(true);
  }

  /** Back after a silence: a new connection and an online status. */
  async comeBack(): Promise<void> {
    this.client = await connect(this.url, this.info.id, this.info.secret, true);
    await this.listen();
    await this.status({ online: true, battery: 0.9 });
  }

  async close(): Promise<void> {
    await this.client.endAsync().catch(() => undefined);
  }
}

/**
 * How a wrist answers an alert: `respond` accepts, arrives and resolves; `accept-only`
 * accepts and never arrives (a no-show); `ignore` lets it ring; `decline` passes it on.
 */
export interface WristPlan {
  mode: 'respond' | 'accept-only' | 'ignore' | 'decline';
  outcome?: string;
  /** Milliseconds before accepting, then arriving, then resolving. */
  delaysMs?: [number, number, number];
}
const DEFAULT_DELAYS: [number, number, number] = [1_500, 2_000, 2_000];

/** A caregiver's wrist that answers alerts as its plan says (changeable while it runs). */
export class ScriptedWrist {
  readonly received: Received[] = [];
  private readonly answered = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    readonly caregiver: HomeCaregiver,
    private readonly client: MqttClient,
    public plan: WristPlan,
    private readonly say: Say,
  ) {}

  static async connect(url: string, caregiver: HomeCaregiver, plan: WristPlan, say: Say): Promise<ScriptedWrist> {
    const w = caregiver.wearable;
    const client = await connect(url, w.id, w.secret);
    const wrist = new ScriptedWrist(caregiver, client, plan, say);
    const alerts = topics.wearableAlerts(w.id);
    client.on('message', (t, payload) => t === alerts && wrist.onMessage(parse(payload)));
    await client.subscribeAsync(alerts, { qos: 1 });
    await client.publishAsync(topics.deviceStatus(w.id), JSON.stringify({ online: true, battery: 0.9 }), { qos: 1, retain: true });
    return wrist;
  }

  get name(): string {
    return this.caregiver.name;
  }

  private onMessage(body: Record<string, unknown>): void {
    const type = String(body.type ?? '?');
    this.received.push({ at: Date.now(), type, body });
    const alert = alertSchema.safeParse(body);
    if (!alert.success) {
      this.say(`wrist of ${this.name} receives ${type}${body.reason ? ` (${String(body.reason)})` : ''}`);
      return;
    }
    const a = alert.data;
    const service = typeof body.service === 'string' ? `, service ${body.service}` : '';
    this.say(`wrist of ${this.name} vibrates: ${a.priority} ${a.kind}${service}, step ${a.step}`);
    if (this.answered.has(a.alarmId) || this.plan.mode === 'ignore') return;
    this.answered.add(a.alarmId);
    const [accept, arrive, resolve] = this.plan.delaysMs ?? DEFAULT_DELAYS;
    if (this.plan.mode === 'decline') return this.later(accept, () => this.ack(a.alarmId, 'decline'));
    this.later(accept, () => {
      this.ack(a.alarmId, 'accept');
      if (this.plan.mode !== 'respond') return;
      this.later(arrive, () => {
        this.ack(a.alarmId, 'arrived');
        this.later(resolve, () => this.ack(a.alarmId, 'resolve', this.plan.outcome ?? 'assisted'));
      });
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private ack(alarmId: string, action: WearableAck['action'], outcome?: string): void {
    const ack: WearableAck = { alarmId, action, ts: new Date().toISOString(), ...(outcome ? { outcome } : {}) };
    this.say(`${this.name} taps ${action}${outcome ? ` (${outcome})` : ''}`);
    this.client.publish(topics.wearableAcks(this.caregiver.wearable.id), JSON.stringify(ack), { qos: 1 });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.client.endAsync().catch(() => undefined);
  }
}
