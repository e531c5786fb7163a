import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import { announceDirectoryChange, DIRECTORY_CHANNEL, loadDirectoryRows, type DirectoryRows } from '../../db/queries/dispatch-directory.ts';
import type { Db } from '../../db/types.ts';
import { Watchers } from './watchers.ts';
import type { PolicyConfig } from '../../contract/escalation-policy.ts';
import type { Person, Situation } from '../core/situation.ts';
import { buildRoutingPool, type DirectoryCaregiver, type FamilyContact, type RoutingPool } from '../core/routing.ts';
import { DutyRoster } from './duty-roster.ts';

type ResidentRow = DirectoryRows['residents'][number];

// Duty (rotas + shifts − absences) is expanded over [now − lookback, now + horizon]; the periodic
// refresh (every 15 s, runtime/maintenance.ts) re-expands it, so a rota keeps producing duty as
// time passes. The lookback keeps an event stamped just before a refresh inside the window.
const DUTY_LOOKBACK_MS = 3600_000;
const DUTY_HORIZON_MS = 24 * 3600_000;

/**
 * The routing data in memory: an alarm is routed in microseconds without a database round
 * trip (the database may be slow or down exactly when it matters). Refreshed after every
 * change made through this instance's API and periodically for the others'.
 */
export class DispatchDirectory {
  private areas = new Map<string, DirectoryRows['areas'][number]>();
  private residents = new Map<string, ResidentRow>();
  private caregivers = new Map<string, DirectoryCaregiver>();
  private byWearable = new Map<string, DirectoryCaregiver>();
  private duty = DutyRoster.empty;
  private children = new Map<string, string[]>();
  private online = new Map<string, boolean>();
  private busy = new Map<string, number>();
  loadedAt = new Date(0);

  private readonly instance = randomUUID();
  /** Runs after every re-read (the live console diffs who is on duty). */
  readonly reloaded: Watchers<void>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    /** Rotas are local times here (TZ, as reports.ts resolves it). */
    readonly timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone,
  ) {
    // a watcher is our own code: its bug crashes loudly (the console's watchers catch their own failures)
    this.reloaded = new Watchers((err) =>
      process.nextTick(() => {
        throw err;
      }),
    );
  }

  /**
   * Follows the other instances' changes (PostgreSQL NOTIFY) so routing sees a new shift or a
   * reassigned wearable at once, not at the next periodic refresh. Returns the unsubscribe.
   */
  follow(logger: Logger): () => Promise<void> {
    if (!this.db.listen) return async () => undefined; // one process owns the database
    return this.db.listen(DIRECTORY_CHANNEL, (from) => {
      if (from === this.instance) return;
      this.refresh().catch((err: unknown) => logger.warn({ err }, 'directory refresh after a notification failed'));
    });
  }

  /** A change made here: read it back, then tell the others. */
  async changed(): Promise<void> {
    await this.refresh();
    await this.announce();
  }

  /** Tells the other instances (a wearable's presence seen only here, say). */
  async announce(): Promise<void> {
    if (this.db.listen) await announceDirectoryChange(this.db, this.instance);
  }

  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /**
   * Re-reads everything. Resolves once a read that began after the call has finished; calls
   * arriving while one runs share the next one (a burst of API writes costs two reads).
   */
  refresh(now?: Date): Promise<void> {
    if (!this.inFlight) return this.start(now);
    this.queued ??= this.inFlight.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.start(now);
    });
    return this.queued;
  }

  private start(now: Date | undefined): Promise<void> {
    const run = this.load(now ?? this.clock.now()).finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private async load(now: Date): Promise<void> {
    const from = new Date(now.getTime() - DUTY_LOOKBACK_MS);
    const to = new Date(now.getTime() + DUTY_HORIZON_MS);
    const rows = await loadDirectoryRows(this.db, from, to);
    this.areas = new Map(rows.areas.map((a) => [a.id, a]));
    this.residents = new Map(rows.residents.map((r) => [r.id, r]));
    this.caregivers = new Map(rows.caregivers.map((c) => [c.id, { ...c, areaIds: c.areaIds ?? [] }]));
    this.byWearable = new Map([...this.caregivers.values()].filter((c) => c.wearableId).map((c) => [c.wearableId!, c]));
    this.duty = DutyRoster.expand(rows.duty, this.timeZone, from, to);
    this.children = new Map();
    for (const a of rows.areas) if (a.parentId) this.children.set(a.parentId, [...(this.children.get(a.parentId) ?? []), a.id]);
    this.online = new Map(rows.wearables.map((w) => [w.id, w.online]));
    this.busy = new Map(rows.busy.map((b) => [b.caregiverId, b.count]));
    this.loadedAt = now;
    this.reloaded.emit();
  }

  allAreas(): Array<DirectoryRows['areas'][number]> {
    return [...this.areas.values()];
  }

  /** How many residents live in each area (coverage assurance: a grid without residents raises nothing). */
  residentsByArea(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.residents.values()) out.set(r.areaId, (out.get(r.areaId) ?? 0) + 1);
    return out;
  }

  allCaregivers(): DirectoryCaregiver[] {
    return [...this.caregivers.values()];
  }

  /** The duty a caregiver is on now (its end), or else their next within the loaded horizon. */
  shiftWindow(caregiverId: string, now: Date): { endsAt: Date | null; nextAt: Date | null } {
    return this.duty.window(caregiverId, now);
  }

  /** The expanded duty (GET /api/on-duty answers from it while `at` lies in its window). */
  get roster(): DutyRoster {
    return this.duty;
  }

  now(): Date {
    return this.clock.now();
  }

  /** Accepted, not yet closed alarms a caregiver holds. */
  busyCount(caregiverId: string): number {
    return this.busy.get(caregiverId) ?? 0;
  }

  /**
   * `lookup`, and once more after a re-read if it found nothing: someone provisioned through
   * another instance a moment ago (before its NOTIFY arrived) is still found.
   */
  async findFresh<T>(lookup: () => T | undefined): Promise<T | undefined> {
    const found = lookup();
    if (found !== undefined) return found;
    await this.refresh();
    return lookup();
  }

  resident(id: string | null): ResidentRow | undefined {
    return id === null ? undefined : this.residents.get(id);
  }

  caregiver(id: string): DirectoryCaregiver | undefined {
    return this.caregivers.get(id);
  }

  caregiverByWearable(wearableId: string): DirectoryCaregiver | undefined {
    return this.byWearable.get(wearableId);
  }

  /** Caregivers by phone number, compared on digits only (+86 138… and 86138… match). */
  caregiverByPhone(phone: string): DirectoryCaregiver | undefined {
    const d = digits(phone);
    for (const c of this.caregivers.values()) if (c.phone && digits(c.phone) === d) return c;
    return undefined;
  }

  /** Whether the number is some resident's family contact (digits compared). */
  isFamilyContactPhone(phone: string): boolean {
    const d = digits(phone);
    for (const r of this.residents.values()) if ((r.contacts ?? []).some((c) => digits(c.phone) === d)) return true;
    return false;
  }

  familyContact(residentId: string | null, phone: string): FamilyContact | undefined {
    const d = digits(phone);
    return this.contacts(residentId).find((c) => digits(c.phone) === d);
  }

  /** The area and its ancestors, nearest first. */
  areaPath(areaId: string | null): string[] {
    const path: string[] = [];
    for (let a = areaId === null ? undefined : this.areas.get(areaId); a && path.length < 16; a = a.parentId ? this.areas.get(a.parentId) : undefined) {
      path.push(a.id);
    }
    return path;
  }

  areaName(areaId: string | null): string | null {
    return areaId === null ? null : (this.areas.get(areaId)?.name ?? null);
  }

  /** The community above (or at) the area, and every area below that community. */
  communityAreas(areaId: string | null): Set<string> {
    const path = this.areaPath(areaId);
    const top = path.find((id) => this.areas.get(id)?.kind === 'community') ?? path[1] ?? path[0];
    const out = new Set<string>();
    if (top === undefined) return out;
    const stack = [top];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      stack.push(...(this.children.get(id) ?? []));
    }
    return out;
  }

  onDuty(now: Date): Set<string> {
    return this.duty.onDuty(now);
  }

  isOnDuty(caregiverId: string, now: Date): boolean {
    return this.duty.isOnDuty(caregiverId, now);
  }

  contacts(residentId: string | null): FamilyContact[] {
    return (this.resident(residentId)?.contacts ?? []).map((c) => ({ name: c.name, phone: c.phone, relation: c.relation ?? undefined }));
  }

  /**
   * `pendingAlerts`: alerts still awaiting each caregiver's answer, not counting the alarm
   * being routed (the dispatcher knows them; routing spreads a burst with them).
   */
  routingPool(residentId: string | null, now: Date, pendingAlerts: (caregiverId: string) => number = () => 0): RoutingPool {
    const r = this.resident(residentId);
    const areaId = r?.areaId ?? null;
    return buildRoutingPool({
      caregivers: [...this.caregivers.values()],
      onDuty: this.onDuty(now),
      wearableOnline: (id) => this.online.get(id) === true,
      activeAlarms: (id) => this.busy.get(id) ?? 0,
      pendingAlerts,
      areaPath: this.areaPath(areaId),
      communityAreas: this.communityAreas(areaId),
      family: this.contacts(residentId),
    });
  }

  /**
   * The plain snapshot the core decides on, for an alarm of this resident at `now`: who can be
   * asked, the people the command concerns, the resident's area path (and the resident).
   */
  situation(o: {
    residentId: string | null;
    now: Date;
    people: Iterable<string | null | undefined>;
    pendingAlerts: (caregiverId: string) => number;
    policy: PolicyConfig;
    cancelWindowS: number;
  }): Situation {
    const r = this.resident(o.residentId);
    const people = new Map<string, Person>();
    for (const id of o.people) {
      const c = id ? this.caregivers.get(id) : undefined;
      if (c) people.set(c.id, { ...c, onDuty: this.isOnDuty(c.id, o.now), wearableOnline: c.wearableId !== null && this.isWearableOnline(c.wearableId) });
    }
    let pool: RoutingPool | undefined;
    const routingPool = () => (pool ??= this.routingPool(o.residentId, o.now, o.pendingAlerts));
    return {
      // read when a decision routes (open, escalate, decline…), not on every accept or join
      get pool() {
        return routingPool();
      },
      people,
      areaPath: this.areaPath(r?.areaId ?? null),
      policy: o.policy,
      cancelWindowS: o.cancelWindowS,
      resident: r && { id: r.id, name: r.name, areaId: r.areaId, address: r.address, notes: r.notes, accessInfo: r.accessInfo, phone: r.phone, grid: this.areaName(r.areaId) },
    };
  }

  /** True when a caregiver's wrist went online or offline (routing changes). */
  setWearableOnline(id: string, online: boolean): boolean {
    if (!this.online.has(id) && !this.byWearable.has(id)) return false;
    const changed = this.online.get(id) !== online;
    this.online.set(id, online);
    return changed && this.byWearable.has(id);
  }

  isWearableOnline(id: string): boolean {
    return this.online.get(id) === true;
  }

  adjustBusy(caregiverId: string | null, delta: number): void {
    if (caregiverId === null) return;
    this.busy.set(caregiverId, Math.max(0, (this.busy.get(caregiverId) ?? 0) + delta));
  }
}

const digits = (phone: string) => phone.replace(/\D/g, '').replace(/^00/, '');
