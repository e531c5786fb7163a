import type { Logger } from '../../../common/logger.ts';
import type { CaregiverStatus, DeviceStatus, ServerMessage, Snapshot } from '../../../contract/console-stream.ts';
import { getAlarm, listActiveAlarms, type AlarmRecord, type NotificationRecord, type TimelineRow } from '../../../db/queries/alarms.ts';
import { alarmDeviceIds, getDeviceStatus, listDeviceStatus } from '../../../db/queries/console-status.ts';
import type { Db } from '../../../db/types.ts';
import type { AuthUser } from '../auth.ts';
import type { AlarmChange, NotificationChange } from '../../dispatcher/watchers.ts';
import type { DispatchDirectory } from '../../dispatcher/directory.ts';
import type { Dispatcher } from '../../dispatcher/dispatcher.ts';
import type { Notifier } from '../../dispatcher/notifier.ts';
import { alarmVisibleTo, presentAlarm } from '../present-alarm.ts';
import type { ConsoleHub } from './console-hub.ts';
import { ConsoleRelay } from './console-relay.ts';
import { StreamScope } from './stream-scope.ts';
import { CENTRE_WIDE } from '../../../db/scope.ts';

const staffOnly = (u: AuthUser) => u.role !== 'caregiver';
/** Device presence arrives in bursts (a gateway restart reconnects everyone): one read per burst. */
const DEVICE_COALESCE_MS = 100;
/** Shifts begin and end on the clock, not on a write: who is on duty is re-checked this often. */
const DUTY_CHECK_MS = 15_000;
const BUSY_CODES = new Set(['alarm.accepted', 'alarm.resolved', 'alarm.cancelled', 'alarm.reassigned', 'alarm.declined']);
/** Timeline codes after which a technical alarm's devices may have changed their batteryLow. */
const DEVICE_CODES = new Set(['alarm.raised', 'event.joined', 'alarm.resolved', 'alarm.cancelled']);
/** Alarms whose area the feed knows (for their SMS statuses); the oldest are forgotten past this. */
const KNOWN_ALARMS = 10_000;
const maskPhone = (t: string | null) => (t === null ? null : t.length > 4 ? `…${t.slice(-4)}` : '…');

export interface ConsoleFeedOptions {
  db: Db;
  logger: Logger;
  directory: DispatchDirectory;
  dispatcher: Dispatcher;
  notifier: Notifier;
  now?: () => Date;
}

/**
 * Turns committed changes (alarms, notifications, device presence, who is on duty) into the
 * live stream's messages, and builds the snapshot a console starts from.
 */
export class ConsoleFeed {
  private hub: ConsoleHub | undefined;
  private readonly now: () => Date;
  private readonly battery = new Map<string, number | null>();
  private readonly sentCaregivers = new Map<string, string>();
  private changedDevices = new Set<string>();
  private deviceTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => unknown> = [];
  private dutyTimer: NodeJS.Timeout | undefined;
  private readonly relay: ConsoleRelay;
  private unfollow: (() => Promise<void>) | undefined;
  private readonly scope: StreamScope;
  /** alarm id → its area, so an SMS status reaches only the consoles that may see its alarm */
  private readonly alarmAreas = new Map<string, string | null>();

  constructor(private readonly o: ConsoleFeedOptions) {
    this.now = o.now ?? (() => new Date());
    this.relay = new ConsoleRelay(o.db, o.logger);
    this.scope = new StreamScope(o.directory);
  }

  /** Starts following changes into `hub`. */
  async start(hub: ConsoleHub): Promise<void> {
    this.hub = hub;
    for (const d of await listDeviceStatus(this.o.db, CENTRE_WIDE)) this.battery.set(d.id, d.battery);
    for (const c of this.caregiverStatuses()) this.sentCaregivers.set(c.id, JSON.stringify(c));
    this.unsubscribe.push(
      this.o.dispatcher.changes.add((c) => this.alarmChanged(c)),
      this.o.notifier.changes.add((c) => this.notificationChanged(c)),
      this.o.directory.reloaded.add(() => this.caregiversChanged()),
      this.o.dispatcher.presence.add((s) => this.deviceChanged(s.deviceId)),
    );
    this.dutyTimer = setInterval(() => this.caregiversChanged(), DUTY_CHECK_MS);
    this.dutyTimer.unref();
    // what the other instances did reaches this instance's consoles the same way, minus the relay
    this.unfollow = this.relay.follow({
      alarm: (a, timeline, raised) => this.publishAlarm(a, timeline, raised, true),
      notification: (n, timeline) => this.publishNotification(n, timeline),
      devices: (ids) => this.readDevices(ids),
    });
  }

  async stop(): Promise<void> {
    await this.unfollow?.();
    for (const u of this.unsubscribe.splice(0)) u();
    clearInterval(this.dutyTimer);
    clearTimeout(this.deviceTimer);
  }

  /** What a console starts from (and resyncs to). */
  async snapshot(user: AuthUser, resync: boolean): Promise<ServerMessage> {
    const staff = staffOnly(user);
    // both reads take the login's scope: the snapshot holds nothing from outside its area
    const [alarms, devices] = await Promise.all([listActiveAlarms(this.o.db, user.scope), staff ? listDeviceStatus(this.o.db, user.scope) : Promise.resolve([])]);
    for (const d of devices) this.battery.set(d.id, d.battery);
    const caregivers = this.caregiverStatuses().filter((c) => (staff && this.scope.caregiver(user, c)) || c.id === user.caregiverId);
    const data: Snapshot = {
      serverTime: this.now(),
      user: { username: user.username, role: user.role, caregiverId: user.caregiverId },
      resync,
      alarms: alarms.filter((a) => alarmVisibleTo(user, a)).map(presentAlarm),
      areas: this.o.directory
        .allAreas()
        .filter((a) => this.scope.area(user, a.id))
        .map((a) => ({ id: a.id, name: a.name, kind: a.kind, parentId: a.parentId })),
      caregivers,
      devices,
    };
    return { type: 'snapshot', data };
  }

  /** A device connected, disconnected or reported its status (already stored). */
  deviceChanged(deviceId: string): void {
    this.changedDevices.add(deviceId);
    this.deviceTimer ??= setTimeout(() => {
      this.deviceTimer = undefined;
      const ids = [...this.changedDevices];
      this.changedDevices = new Set();
      this.relay.devices(ids);
      this.readDevices(ids);
    }, DEVICE_COALESCE_MS);
  }

  private readDevices(ids: string[]): void {
    getDeviceStatus(this.o.db, ids).then(
        (rows) => this.devicesRead(rows),
      (err: unknown) => this.o.logger.warn({ err, devices: ids.length }, 'device status for the console not read; consoles see it at their next snapshot'),
    );
  }

  private devicesRead(rows: DeviceStatus[]): void {
    let wearable = false;
    for (const d of rows) {
      this.battery.set(d.id, d.battery);
      wearable ||= d.caregiverId !== null;
      this.hub?.broadcast({ type: 'device.status', data: d }, (u) => staffOnly(u) && this.scope.device(u, d));
    }
    if (wearable) this.caregiversChanged();
  }

  private alarmChanged(c: AlarmChange): void {
    this.relay.alarm(c.alarm, c.timeline, c.raised);
    this.publishAlarm(c.alarm, c.timeline, c.raised, false);
  }

  private publishAlarm(a: AlarmRecord, timeline: TimelineRow[], raised: boolean, readBack: boolean): void {
    const data = { ...presentAlarm(a), timeline };
    this.rememberArea(a.id, a.areaId);
    this.hub?.broadcast({ type: raised ? 'alarm.raised' : 'alarm.updated', data }, (u) => alarmVisibleTo(u, a) && this.scope.area(u, a.areaId));
    // a battery.low alarm opening, taking in a device's event or closing changes that device's
    // batteryLow: the device list hears it with the alarm, not at the next status message
    if (a.priority === 'technical' && timeline.some((t) => DEVICE_CODES.has(t.code))) {
      alarmDeviceIds(this.o.db, a.id).then(
        (ids) => this.readDevices(ids.includes(a.deviceId) ? ids : [...ids, a.deviceId]),
        (err: unknown) => this.o.logger.warn({ err, alarmId: a.id }, 'devices of an alarm not read; consoles see them at their next snapshot'),
      );
    }
    // accepting or closing changes how busy a caregiver is (read back from another instance: its busy counts come with a directory read)
    if (timeline.some((t) => BUSY_CODES.has(t.code))) {
      if (readBack) this.o.directory.refresh().catch((err: unknown) => this.o.logger.warn({ err }, 'directory refresh failed'));
      else this.caregiversChanged();
    }
  }

  private notificationChanged(c: NotificationChange): void {
    this.relay.notification(c.notification, c.timeline);
    this.publishNotification(c.notification, c.timeline);
  }

  private publishNotification(n: NotificationRecord, timeline: TimelineRow[]): void {
    const sms = n.channel === 'sms';
    const sendSms = (areaId: string | null) => {
      const data = { alarmId: n.alarmId, notificationId: n.id, status: n.status, recipientName: n.recipientName, target: maskPhone(n.target), error: n.error };
      this.hub?.broadcast({ type: 'sms.status', data }, (u) => staffOnly(u) && this.scope.area(u, areaId));
    };
    const known = this.alarmAreas.has(n.alarmId);
    if (sms && known) sendSms(this.alarmAreas.get(n.alarmId)!);
    if (timeline.length === 0 && (!sms || known)) return;
    getAlarm(this.o.db, CENTRE_WIDE, n.alarmId).then(
      (a) => {
        if (!a) return;
        if (sms && !known) sendSms(a.areaId);
        if (timeline.length > 0) this.publishAlarm(a, timeline, false, true);
      },
      (err: unknown) => this.o.logger.warn({ err, alarmId: n.alarmId }, 'alarm for the console not read'),
    );
  }

  private rememberArea(alarmId: string, areaId: string | null): void {
    this.alarmAreas.delete(alarmId);
    this.alarmAreas.set(alarmId, areaId);
    if (this.alarmAreas.size > KNOWN_ALARMS) this.alarmAreas.delete(this.alarmAreas.keys().next().value!);
  }

  /** Sends the caregivers whose status differs from what consoles were last told. */
  private caregiversChanged(): void {
    for (const c of this.caregiverStatuses()) {
      const text = JSON.stringify(c);
      if (this.sentCaregivers.get(c.id) === text) continue;
      this.sentCaregivers.set(c.id, text);
      this.hub?.broadcast({ type: 'caregiver.status', data: c }, (u) => (staffOnly(u) && this.scope.caregiver(u, c)) || u.caregiverId === c.id);
    }
  }

  private caregiverStatuses(): CaregiverStatus[] {
    const now = this.now();
    const d = this.o.directory;
    return d.allCaregivers().map((c) => {
      const shift = d.shiftWindow(c.id, now);
      return {
        id: c.id,
        name: c.name,
        role: c.role,
        phone: c.phone,
        areaIds: [...c.areaIds],
        onDuty: shift.endsAt !== null,
        shiftEndsAt: shift.endsAt,
        nextShiftAt: shift.endsAt === null ? shift.nextAt : null,
        wearableId: c.wearableId,
        wearableOnline: c.wearableId !== null && d.isWearableOnline(c.wearableId),
        battery: c.wearableId === null ? null : (this.battery.get(c.wearableId) ?? null),
        activeAlarms: d.busyCount(c.id),
      };
    });
  }
}
