// The contract as the page receives it: dates are ISO strings on the wire. Types only: the
// zod schemas behind them are never bundled.
import type { AlarmDetail, AlarmView, NotificationView, TimelineEntry, Wire } from '../../../contract/alarm-view.ts';
import type { CaregiverStatus, ClientMessage, DeviceStatus, ServerMessage, Snapshot } from '../../../contract/console-stream.ts';
import type { ReportGrouping, ReportRow } from '../../../contract/reports.ts';
import type { AuditEntry } from '../../../contract/audit.ts';

export type Alarm = Wire<AlarmView>;
export type AlarmDetailData = Wire<AlarmDetail>;
export type TimelineRow = Wire<TimelineEntry>;
export type Notification = Wire<NotificationView>;
export type Caregiver = Wire<CaregiverStatus>;
export type Device = Wire<DeviceStatus>;
export type SnapshotData = Wire<Snapshot>;
export type Area = SnapshotData['areas'][number];
export type StreamUser = SnapshotData['user'];
export type ServerMsg = Wire<ServerMessage>;
export type SmsStatus = Extract<ServerMsg, { type: 'sms.status' }>['data'];
export type ClientMsg = ClientMessage;
export type { ReportGrouping, ReportRow };
/** One line of GET /api/audit. */
export type AuditRow = Wire<AuditEntry>;

/** Who is logged in, as POST /api/login answers. */
export interface Session {
  token: string;
  username: string;
  role: string;
  caregiverId: string | null;
}
