import { randomUUID } from 'node:crypto';
import { deviceEventSchema, serviceKinds, type DeviceKind, type EventType } from '../contract/device-messages.ts';
import type { SimDevice } from './types.ts';

/** A DeviceEvent exactly as published (before the gateway's parsing and defaults). */
export interface OutgoingEvent {
  id: string;
  type: EventType;
  ts: string;
  data: Record<string, unknown>;
}
export interface PlannedEvent {
  device: SimDevice;
  event: OutgoingEvent;
}

/** Builds an event and checks it against the contract; a failure is a bug in the simulator. */
export function makeEvent(type: EventType, data: Record<string, unknown> = {}, at: Date = new Date()): OutgoingEvent {
  const event: OutgoingEvent = { id: randomUUID(), type, ts: at.toISOString(), data };
  const check = deviceEventSchema.safeParse(event);
  if (!check.success) throw new Error(`simulator built an invalid ${type} event: ${check.error.message}`);
  return event;
}

export interface TrafficPlanOptions {
  /** Chance that an activity slot becomes a resident-raised incident (mostly a button press). */
  buttonPressProbability: number;
  heartbeatIntervalMs?: number;
  random?: () => number;
  /** Local night, when beds are left and doors should stay shut. Default 22:00–06:00. */
  isNight?: (at: Date) => boolean;
}

interface DeviceState {
  device: SimDevice;
  nextHeartbeat: number;
  battery: number;
  rssi: number;
  busy: boolean; // door open or resident out of bed: the matching follow-up is pending
  celsius: number;
  lastCheckinDay: string;
}
interface FollowUp {
  at: number;
  state: DeviceState;
  type: EventType;
  data: Record<string, unknown>;
}

const ALARM_KINDS = new Set<DeviceKind>(['pendant', 'button', 'pull_cord']);
type ActivityKind = 'motion_sensor' | 'door_sensor' | 'temperature_sensor' | 'bed_sensor' | 'checkin';
// Relative shares of everyday events. Nights are quiet: fewer motions, doors stay shut, beds
// are left and re-entered. Smoke/CO/flood detectors and wearables only send heartbeats.
const DAY_WEIGHTS: Record<ActivityKind, number> = { motion_sensor: 45, door_sensor: 15, temperature_sensor: 25, bed_sensor: 0, checkin: 5 };
// A front door opening at night is a wandering alarm (urgent): rare, as it is in real homes.
const NIGHT_WEIGHTS: Record<ActivityKind, number> = { motion_sensor: 12, door_sensor: 0.1, temperature_sensor: 25, bed_sensor: 15, checkin: 0 };
const ROOMS = ['living room', 'kitchen', 'bathroom', 'hallway', 'bedroom'];
// the service's default NIGHT_HOURS (22-7)
const defaultNight = (at: Date) => at.getHours() >= 22 || at.getHours() < 7;

/**
 * Decides what the simulated homes say next. Due heartbeats (every device about once per
 * interval) and due follow-ups (door closes after it opened, resident back in bed) come
 * first; the rest of the rate is everyday activity by sensor kind, with rare incidents.
 * Pure apart from the random source and the clock passed in, so tests drive it directly.
 */
export class TrafficPlanner {
  private readonly states: DeviceState[];
  private readonly byId = new Map<string, DeviceState>();
  private readonly alarmButtons: DeviceState[];
  private readonly pools = new Map<ActivityKind, DeviceState[]>();
  private heartbeatQueue: DeviceState[]; // FIFO, ordered by nextHeartbeat
  private hbHead = 0;
  private followUps: FollowUp[] = []; // sorted by `at`
  private readonly rnd: () => number;
  private readonly interval: number;
  private readonly isNight: (at: Date) => boolean;

  constructor(devices: readonly SimDevice[], private readonly opts: TrafficPlanOptions, start = Date.now()) {
    this.rnd = opts.random ?? Math.random;
    this.interval = opts.heartbeatIntervalMs ?? 60_000;
    this.isNight = opts.isNight ?? defaultNight;
    this.states = devices.map((device) => ({
      device,
      // Random phases spread heartbeats evenly instead of a burst every minute.
      nextHeartbeat: start + this.rnd() * this.interval,
      battery: 0.35 + this.rnd() * 0.65,
      rssi: -45 - Math.floor(this.rnd() * 45),
      busy: false,
      celsius: 20 + this.rnd() * 5,
      lastCheckinDay: '',
    }));
    for (const s of this.states) this.byId.set(s.device.id, s);
    this.heartbeatQueue = [...this.states].sort((a, b) => a.nextHeartbeat - b.nextHeartbeat);
    this.alarmButtons = this.states.filter((s) => ALARM_KINDS.has(s.device.kind));
    for (const kind of Object.keys(DAY_WEIGHTS) as ActivityKind[]) {
      this.pools.set(kind, kind === 'checkin' ? this.alarmButtons : this.states.filter((s) => s.device.kind === kind));
    }
  }

  /** Battery and signal for the retained status message. */
  status(deviceId: string): { battery: number; rssi: number } {
    const s = this.byId.get(deviceId);
    return { battery: round2(s?.battery ?? 1), rssi: s?.rssi ?? -60 };
  }

  /** The next event at `now` (epoch ms) from a device for which `online` holds, if any. */
  next(now: number, online: (id: string) => boolean = () => true): PlannedEvent | undefined {
    const at = new Date(now);
    const followUp = this.followUps[0];
    if (followUp && followUp.at <= now) {
      this.followUps.shift();
      followUp.state.busy = false;
      if (online(followUp.state.device.id)) return this.emit(followUp.state, followUp.type, followUp.data, at);
    }
    const hb = this.heartbeatQueue[this.hbHead];
    if (hb && hb.nextHeartbeat <= now) {
      this.hbHead++;
      hb.nextHeartbeat = now + this.interval;
      this.heartbeatQueue.push(hb);
      if (this.hbHead > 1024 && this.hbHead * 2 > this.heartbeatQueue.length) {
        this.heartbeatQueue = this.heartbeatQueue.slice(this.hbHead);
        this.hbHead = 0;
      }
      if (online(hb.device.id)) return this.emit(hb, 'heartbeat', { battery: round2(hb.battery), rssi: hb.rssi }, at);
    }
    return this.activity(now, at, online);
  }

  private activity(now: number, at: Date, online: (id: string) => boolean): PlannedEvent | undefined {
    if (this.rnd() < this.opts.buttonPressProbability) {
      const s = this.pickOnline(this.alarmButtons, online);
      if (s) return this.incident(s, at);
    }
    const weights = this.isNight(at) ? NIGHT_WEIGHTS : DAY_WEIGHTS;
    let last: DeviceState | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const s = this.pickOnline(this.pickPool(weights), online);
      if (!s) continue;
      last = s;
      if (this.rnd() < 0.002) return this.emit(s, 'battery.low', { level: round2(Math.min(s.battery, 0.05 + this.rnd() * 0.1)) }, at);
      const planned = this.everyday(s, now, at);
      if (planned) return planned;
    }
    // Every sampled door is open, every resident already up: a status heartbeat fills the slot.
    return last && this.emit(last, 'heartbeat', { battery: round2(last.battery), rssi: last.rssi }, at);
  }

  /** A kind of everyday activity by its weight, among kinds this fleet has. */
  private pickPool(weights: Readonly<Record<ActivityKind, number>>): readonly DeviceState[] {
    let total = 0;
    for (const [kind, pool] of this.pools) if (pool.length > 0) total += weights[kind];
    let roll = this.rnd() * total;
    for (const [kind, pool] of this.pools) {
      if (pool.length === 0 || weights[kind] === 0) continue;
      roll -= weights[kind];
      if (roll < 0) return pool;
    }
    return [];
  }

  private everyday(s: DeviceState, now: number, at: Date): PlannedEvent | undefined {
    switch (s.device.kind) {
      case 'motion_sensor':
        return this.emit(s, 'motion', { room: ROOMS[Math.floor(this.rnd() * ROOMS.length)] }, at);
      case 'door_sensor':
        if (s.busy) return undefined;
        this.schedule(s, now + 3_000 + this.rnd() * 25_000, 'door.closed', { door: 'front' });
        return this.emit(s, 'door.opened', { door: 'front' }, at);
      case 'bed_sensor':
        if (s.busy) return undefined;
        // Most night-time trips (bathroom, water) last minutes; the dispatcher watches the rest.
        this.schedule(s, now + 60_000 + this.rnd() * 14 * 60_000, 'bed.enter', {});
        return this.emit(s, 'bed.exit', {}, at);
      case 'temperature_sensor':
        s.celsius = Math.min(30, Math.max(14, s.celsius + (this.rnd() - 0.5) * 0.6));
        return this.emit(s, 'temperature', { celsius: Math.round(s.celsius * 10) / 10 }, at);
      default: {
        const day = at.toISOString().slice(0, 10);
        if (s.lastCheckinDay === day) return undefined;
        s.lastCheckinDay = day; // the daily "I'm OK" from the pendant
        return this.emit(s, 'checkin', {}, at);
      }
    }
  }

  private incident(s: DeviceState, at: Date): PlannedEvent {
    const roll = this.rnd();
    if (roll < 0.75) return this.emit(s, 'button.pressed', { button: s.device.kind === 'pull_cord' ? 'cord' : 'sos' }, at);
    if (roll < 0.9) {
      const service = serviceKinds[Math.floor(this.rnd() * serviceKinds.length)] as string;
      return this.emit(s, 'service.request', { service }, at);
    }
    return this.emit(s, 'fall.detected', { confidence: round2(0.8 + this.rnd() * 0.2) }, at);
  }

  private schedule(s: DeviceState, at: number, type: EventType, data: Record<string, unknown>): void {
    s.busy = true;
    let i = this.followUps.length;
    while (i > 0 && (this.followUps[i - 1] as FollowUp).at > at) i--;
    this.followUps.splice(i, 0, { at, state: s, type, data });
  }

  private pickOnline(pool: readonly DeviceState[], online: (id: string) => boolean): DeviceState | undefined {
    for (let attempt = 0; attempt < 8 && pool.length > 0; attempt++) {
      const s = pool[Math.floor(this.rnd() * pool.length)] as DeviceState;
      if (online(s.device.id)) return s;
    }
    return undefined;
  }

  private emit(s: DeviceState, type: EventType, data: Record<string, unknown>, at: Date): PlannedEvent {
    s.battery = Math.max(0.01, s.battery - 0.00002); // slow drain so status stays plausible
    return { device: s.device, event: makeEvent(type, data, at) };
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
