import type { AlarmStatus, ActorKind, NotificationChannel, NotificationStatus, Priority, StepKind, TimelineCode } from '../../../../contract/alarms.ts';
import type { knownOutcomes } from '../../../../contract/alarms.ts';
import type { DeviceKind, EventType, serviceKinds } from '../../../../contract/device-messages.ts';
import type { ReportGrouping } from '../../../../contract/reports.ts';

/** Alarm kinds the dispatcher opens besides device event types (dispatcher/absence-rules.ts). */
export type AbsenceKind = 'bed.no_return' | 'checkin.missed' | 'inactivity';
type ServiceKind = (typeof serviceKinds)[number];
type KnownOutcome = (typeof knownOutcomes)[number];

/**
 * Every value of the contract's closed sets must have a label: adding a timeline code or a
 * step kind to contract/ without translating it here fails the web typecheck.
 */
type ContractLabels =
  | `status.${AlarmStatus}`
  | `priority.${Priority}`
  | `step.${StepKind}`
  | `timeline.${TimelineCode}`
  | `outcome.${KnownOutcome}`
  | `kind.${EventType | AbsenceKind}`
  | `service.${ServiceKind}`
  | `actor.${ActorKind}`
  | `channel.${NotificationChannel}`
  | `notification.${NotificationStatus}`
  | `deviceKind.${DeviceKind}`
  | `group.${ReportGrouping}`;

/** The English catalogue; its keys are the catalogue's type (zh.ts must have every one). */
export const en = {
  'app.title': 'Alarm console',
  'nav.board': 'Board',
  'nav.reports': 'Reports',
  'header.language': 'Language',
  'header.logout': 'Log out',
  'header.open': 'open',
  'header.handling': 'being handled',
  'sound.label': 'Sound',
  'sound.onTitle': 'Alarm sound is on: click to mute',
  'sound.offTitle': 'Alarm sound is muted: click to turn it on',
  'sound.blocked': 'Click to enable sound',
  'sound.unsupported': 'This browser cannot play the alarm sound',
  'phone.call': 'Call',
  'role.admin': 'admin',
  'role.operator': 'operator',
  'role.caregiver': 'caregiver',

  'conn.connecting': 'Connecting…',
  'conn.live': 'Live',
  'conn.reconnecting': 'Reconnecting…',
  'conn.banner': 'Live updates interrupted — reconnecting… The board may be out of date.',
  'conn.retryIn': 'next try in {s} s',

  'login.title': 'Operator login',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.busy': 'Logging in…',
  'login.expired': 'Your session has ended; please log in again.',

  'error.network': 'The server cannot be reached.',
  'error.http': 'The server answered {status}.',

  'queue.title': 'Active alarms',
  'queue.empty': 'No active alarms.',
  'queue.notified': 'Notified',
  'queue.asking': 'asking now',
  'queue.declined': 'declined',
  'queue.nobodyNotified': 'nobody notified yet',
  'queue.acceptedBy': 'Accepted by {name}',
  'queue.step': 'Step {n}',
  'queue.arrivalOverdue': 'Arrival overdue',
  'queue.noAddress': 'no address',
  'queue.noGrid': 'no grid',
  'queue.unknownResident': 'Unknown resident',
  'queue.events': '{n} presses',

  'clock.toAccept': 'waiting',
  'clock.accepted': 'to accept',
  'clock.toArrive': 'on the way',
  'clock.arrived': 'to arrive',
  'clock.limit': 'limit {t}',

  'detail.none': 'Select an alarm to see its timeline and act on it.',
  'detail.loading': 'Loading…',
  'detail.close': 'Close',
  'detail.timeline': 'Timeline',
  'detail.notifications': 'Notifications',
  'detail.noNotifications': 'None yet.',
  'detail.address': 'Address',
  'detail.notes': 'Notes',
  'detail.phone': 'Phone',
  'detail.device': 'Device',
  'detail.raisedAt': 'Raised',
  'detail.replyCode': 'SMS reply code',
  'detail.outcome': 'Outcome',
  'detail.actions': 'Actions',
  'detail.closed': 'This alarm is closed.',

  'action.accept': 'Accept',
  'action.arrive': 'Mark arrived',
  'action.resolve': 'Resolve',
  'action.cancel': 'Cancel alarm',
  'action.reassign': 'Reassign',
  'action.note': 'Add note',
  'action.outcome': 'Outcome',
  'action.outcomeOther': 'Other (type below)…',
  'action.outcomeText': 'Outcome in your words',
  'action.reassignTo': 'Caregiver on duty…',
  'action.nobodyOnDuty': 'Nobody on duty to reassign to',
  'action.notePlaceholder': 'Note for the timeline (also sent with accept/resolve/cancel)',
  'action.conflict': 'Someone else acted first: {error}',
  'action.confirmCancel': 'Cancel this alarm? The resident will not get help through it.',
  'action.busy': 'Sending…',

  'onduty.title': 'On duty now',
  'onduty.nobody': 'nobody on duty',
  'onduty.noGrids': 'No grids set up yet.',
  'onduty.active': '{n} active',
  'onduty.online': 'wearable online',
  'onduty.offline': 'wearable offline',
  'onduty.noWearable': 'no wearable',
  'onduty.until': 'until {time}',

  'devices.title': 'Devices needing attention',
  'devices.none': 'All devices online and charged.',
  'devices.offline': 'offline',
  'devices.battery': 'battery {pct}',
  'devices.lastSeen': 'last seen {time}',
  'devices.neverSeen': 'never seen',
  'devices.noResident': 'no resident',

  'reports.title': 'Response times',
  'reports.from': 'From',
  'reports.to': 'To',
  'reports.groupBy': 'Group by',
  'reports.show': 'Show',
  'reports.csv': 'Export CSV',
  'reports.loading': 'Loading…',
  'reports.empty': 'No alarms in this period.',
  'reports.noKey': '(none)',
  'reports.noArea': '(no area)',
  'reports.notAccepted': '(not accepted by a caregiver)',
  'reports.chartTitle': 'Time to accept: p50 and p90',
  'reports.badRange': 'The start must be before the end.',
  'reports.targets': 'Targets: within limit ≥ {limit}, accepted ≤ 60 s ≥ {a60}, ≤ 180 s ≥ {a180}, arrived ≤ 45 min ≥ {r45}, ≤ 60 min ≥ {r60}.',
  'col.group': 'Group',
  'col.alarms': 'Alarms',
  'col.cancelled': 'Cancelled before accept',
  'col.accept': 'Time to accept',
  'col.arrive': 'Time to arrive',
  'col.resolve': 'Time to resolve',
  'col.count': 'n',
  'col.p50': 'p50',
  'col.p90': 'p90',
  'col.max': 'max',
  'col.within': 'within limit',
  'col.withinAccept': 'Accepted in limit',
  'col.withinArrive': 'Arrived in limit',
  'col.acc60': 'Accepted ≤ 60 s',
  'col.acc180': 'Accepted ≤ 180 s',
  'col.arr45': 'Arrived ≤ 45 min',
  'col.arr60': 'Arrived ≤ 60 min',

  'status.open': 'Open',
  'status.accepted': 'Accepted',
  'status.on_site': 'On site',
  'status.resolved': 'Resolved',
  'status.cancelled': 'Cancelled',

  'priority.emergency': 'Emergency',
  'priority.urgent': 'Urgent',
  'priority.service': 'Service',
  'priority.technical': 'Technical',

  'step.next_in_grid': 'next caregiver in grid',
  'step.all_in_grid': 'whole grid',
  'step.community_pool': 'community pool',
  'step.supervisor': 'supervisor',
  'step.sms_family': 'family by SMS',
  'step.console': 'operator console',

  'kind.button.pressed': 'Help button',
  'kind.fall.detected': 'Fall',
  'kind.smoke.detected': 'Smoke',
  'kind.co.detected': 'Carbon monoxide',
  'kind.flood.detected': 'Flood',
  'kind.door.opened': 'Door opened at night',
  'kind.door.closed': 'Door closed',
  'kind.motion': 'Motion',
  'kind.bed.exit': 'Left bed',
  'kind.bed.enter': 'Back in bed',
  'kind.temperature': 'Temperature',
  'kind.battery.low': 'Battery low',
  'kind.heartbeat': 'Heartbeat',
  'kind.checkin': 'Check-in',
  'kind.cancel': 'Resident cancel',
  'kind.service.request': 'Service request',
  'kind.bed.no_return': 'Not back in bed',
  'kind.checkin.missed': 'Missed check-in',
  'kind.inactivity': 'No activity',

  'service.meal': 'meal',
  'service.bathing': 'bathing',
  'service.haircut': 'haircut',
  'service.housekeeping': 'housekeeping',
  'service.massage': 'massage',
  'service.doctor': 'doctor consultation',
  'service.other': 'other',

  'timeline.alarm.raised': 'Alarm raised',
  'timeline.event.joined': 'Another event joined',
  'timeline.priority.raised': 'Priority raised',
  'timeline.step.started': 'Escalation step started',
  'timeline.step.skipped': 'Escalation step skipped',
  'timeline.notification.sent': 'Notification sent',
  'timeline.notification.delivered': 'Notification delivered',
  'timeline.notification.failed': 'Notification failed',
  'timeline.sms.outbox': 'SMS written to outbox',
  'timeline.alarm.declined': 'Declined',
  'timeline.alarm.accepted': 'Accepted',
  'timeline.alarm.withdrawn': 'Alert withdrawn',
  'timeline.alarm.arrived': 'Arrived',
  'timeline.alarm.resolved': 'Resolved',
  'timeline.alarm.cancelled': 'Cancelled',
  'timeline.cancel.late': 'Late cancel by resident',
  'timeline.alarm.reassigned': 'Reassigned',
  'timeline.console.called': 'Operator console called',
  'timeline.note.added': 'Note',
  'timeline.sms.reply': 'SMS reply',
  'timeline.ack.refused': 'Acknowledgement refused',
  'timeline.watchdog.missed_deadline': 'Missed deadline caught',
  'timeline.arrival.overdue': 'Arrival overdue',

  'outcome.assisted': 'Assisted',
  'outcome.false_alarm': 'False alarm',
  'outcome.ambulance_called': 'Ambulance called',
  'outcome.service_done': 'Service done',
  'outcome.no_answer_escalated': 'No answer, escalated',

  'actor.system': 'system',
  'actor.resident': 'resident',
  'actor.caregiver': 'caregiver',
  'actor.operator': 'operator',
  'actor.contact': 'family contact',

  'channel.wearable': 'wearable',
  'channel.sms': 'SMS',
  'channel.console': 'console',

  'notification.pending': 'pending',
  'notification.sent': 'sent',
  'notification.queued': 'queued',
  'notification.delivered': 'delivered',
  'notification.failed': 'failed',
  'notification.outbox': 'outbox',
  'notification.withdrawn': 'withdrawn',

  'deviceKind.pendant': 'pendant',
  'deviceKind.pull_cord': 'pull cord',
  'deviceKind.button': 'button',
  'deviceKind.fall_sensor': 'fall sensor',
  'deviceKind.smoke_detector': 'smoke detector',
  'deviceKind.co_detector': 'CO detector',
  'deviceKind.flood_sensor': 'flood sensor',
  'deviceKind.door_sensor': 'door sensor',
  'deviceKind.motion_sensor': 'motion sensor',
  'deviceKind.bed_sensor': 'bed sensor',
  'deviceKind.temperature_sensor': 'temperature sensor',
  'deviceKind.hub': 'hub',
  'deviceKind.wearable': 'wearable',

  'group.area': 'Grid / area',
  'group.caregiver': 'Caregiver',
  'group.kind': 'Alarm kind',
  'group.day': 'Day',
  'group.none': 'All together',
} satisfies Record<ContractLabels, string> & Record<string, string>;

export type MessageKey = keyof typeof en;
/** What every language provides: exactly the English keys. */
export type Catalogue = Record<MessageKey, string>;
