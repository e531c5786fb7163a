import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../../common/logger.ts';
import { getAlarm, getNotifications, getTimeline, type AlarmRecord, type NotificationRecord, type TimelineRow } from '../../../db/queries/alarms.ts';
import { announceConsoleChange, CONSOLE_CHANNEL } from '../../../db/queries/console-relay.ts';
import type { Db } from '../../../db/types.ts';
import { CENTRE_WIDE } from '../../../db/scope.ts';

const idRange = { from: z.number().int().nullable(), to: z.number().int().nullable() };
const relayMessageSchema = z.discriminatedUnion('k', [
  z.object({ o: z.string(), k: z.literal('alarm'), id: z.string(), raised: z.boolean(), ...idRange }),
  z.object({ o: z.string(), k: z.literal('sms'), alarmId: z.string(), id: z.string(), ...idRange }),
  z.object({ o: z.string(), k: z.literal('devices'), ids: z.array(z.string()) }),
]);
type RelayMessage = z.infer<typeof relayMessageSchema>;

/** What a change made on another instance looks like once read back. */
export interface RemoteChanges {
  alarm(a: AlarmRecord, timeline: TimelineRow[], raised: boolean): void;
  notification(n: NotificationRecord, timeline: TimelineRow[]): void;
  devices(ids: string[]): void;
}

const rangeOf = (rows: readonly TimelineRow[]) => ({ from: rows[0]?.id ?? null, to: rows.at(-1)?.id ?? null });
// a burst of presence changes is sent in slices that stay well inside NOTIFY's 8000 bytes
const DEVICE_IDS_PER_MESSAGE = 50;

/**
 * Several instances behind one database (MQTT_URL): a console connected to one must see what
 * the others did. Changes are announced with PostgreSQL NOTIFY (ids only) and read back by the
 * instances that did not make them. The embedded database has one instance: nothing to relay.
 */
export class ConsoleRelay {
  private readonly origin = randomUUID();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.db.listen !== undefined;
  }

  follow(remote: RemoteChanges): () => Promise<void> {
    if (!this.db.listen) return async () => undefined;
    return this.db.listen(CONSOLE_CHANNEL, (payload) => {
      let json: unknown;
      try {
        json = JSON.parse(payload ?? '');
      } catch {
        json = undefined;
      }
      const m = relayMessageSchema.safeParse(json);
      if (!m.success) return this.logger.warn({ payload: payload?.slice(0, 200) }, 'unreadable console relay message ignored');
      if (m.data.o === this.origin) return;
      this.readBack(m.data, remote).catch((err: unknown) => this.logger.warn({ err, kind: m.data.k }, 'change from another instance not read; consoles see it at their next snapshot'));
    });
  }

  alarm(a: AlarmRecord, timeline: readonly TimelineRow[], raised: boolean): void {
    this.send({ o: this.origin, k: 'alarm', id: a.id, raised, ...rangeOf(timeline) });
  }

  notification(n: NotificationRecord, timeline: readonly TimelineRow[]): void {
    this.send({ o: this.origin, k: 'sms', alarmId: n.alarmId, id: n.id, ...rangeOf(timeline) });
  }

  devices(ids: readonly string[]): void {
    for (let i = 0; i < ids.length; i += DEVICE_IDS_PER_MESSAGE) this.send({ o: this.origin, k: 'devices', ids: ids.slice(i, i + DEVICE_IDS_PER_MESSAGE) });
  }

  private send(m: RelayMessage): void {
    if (!this.enabled) return;
    announceConsoleChange(this.db, JSON.stringify(m)).catch((err: unknown) => this.logger.warn({ err, kind: m.k }, 'console change not relayed to the other instances'));
  }

  private async readBack(m: RelayMessage, remote: RemoteChanges): Promise<void> {
    if (m.k === 'devices') return remote.devices(m.ids);
    const alarmId = m.k === 'alarm' ? m.id : m.alarmId;
    const timeline = m.from === null || m.to === null ? [] : await getTimeline(this.db, alarmId, { from: m.from, to: m.to });
    if (m.k === 'alarm') {
      const a = await getAlarm(this.db, CENTRE_WIDE, m.id);
      if (a) remote.alarm(a, timeline, m.raised);
      return;
    }
    const n = (await getNotifications(this.db, m.alarmId)).find((x) => x.id === m.id);
    if (n) remote.notification(n, timeline);
  }
}
