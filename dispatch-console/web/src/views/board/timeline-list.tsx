import { useT, type Translator } from '../../i18n/index.ts';
import { formatDuration } from '../../lib/duration.ts';
import { reassignment, supersededAccepts } from '../../lib/timeline-facts.ts';
import { formatTimestamp } from '../../lib/timestamp.ts';
import type { TimelineRow } from '../../types.ts';

/** The alarm's history, oldest first, each row with its stable code (for tests and integrators). */
export function TimelineList({ rows }: { rows: readonly TimelineRow[] }) {
  const tr = useT();
  // today's rows show the time alone, older ones their date too
  const now = Date.now();
  const superseded = supersededAccepts(rows);
  return (
    <ol class="timeline">
      {rows.map((r) => (
        <li
          key={r.id}
          class={`tl tl-${r.code.replace(/\./g, '-')}${superseded.has(r.id) ? ' tl-superseded' : ''}`}
          data-testid="timeline-entry"
          data-code={r.code}
          data-superseded={superseded.has(r.id) ? 'true' : undefined}
        >
          <time class="tl-at" dateTime={r.at}>
            {formatTimestamp(r.at, now)}
          </time>
          <div class="tl-body">
            <span class="tl-what">{tr.label('timeline', r.code)}</span>
            {r.code !== 'alarm.reassigned' && <span class="tl-who">{r.actorName ?? tr.label('actor', r.actorKind)}</span>}
            {superseded.has(r.id) && <span class="tl-who">{tr.t('tlNote.superseded')}</span>}
            <div class="tl-detail">{describe(r, tr)}</div>
          </div>
        </li>
      ))}
    </ol>
  );
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const words = (v: string) => v.replace(/_/g, ' ');

/** The few facts of a row's detail worth a glance; the codes' detail shapes are the dispatcher's. */
function describe(r: TimelineRow, tr: Translator): string {
  const d = r.detail;
  const parts: string[] = [];
  const step = typeof d.step === 'number' ? tr.t('queue.step', { n: d.step }) : undefined;
  switch (r.code) {
    case 'step.started':
    case 'step.skipped':
      if (step) parts.push(step);
      if (str(d.kind)) parts.push(tr.label('step', str(d.kind)));
      if (str(d.reason)) parts.push(words(str(d.reason)!));
      break;
    case 'notification.sent':
    case 'notification.failed':
    case 'notification.delivered':
    case 'sms.outbox':
      if (str(d.to)) parts.push(str(d.to)!);
      if (str(d.channel)) parts.push(tr.label('channel', str(d.channel)));
      if (str(d.error)) parts.push(str(d.error)!);
      break;
    case 'alarm.accepted':
    case 'alarm.arrived':
      if (typeof d.seconds === 'number') parts.push(formatDuration(d.seconds) + (d.withinLimit === false ? ' ⚠' : ''));
      break;
    case 'alarm.resolved':
    case 'alarm.cancelled':
      if (str(d.outcome)) parts.push(tr.label('outcome', str(d.outcome)));
      break;
    case 'alarm.reassigned': {
      const re = reassignment(r);
      if (re) parts.push(tr.t('tlNote.reassignedTo', { to: re.to, by: re.by ?? tr.label('actor', r.actorKind) }));
      break;
    }
    case 'event.joined':
      if (str(d.type) && str(d.type) !== 'service.request') parts.push(tr.label('kind', str(d.type)));
      break;
    case 'priority.raised':
      if (str(d.from) && str(d.to)) parts.push(`${tr.label('priority', str(d.from))} → ${tr.label('priority', str(d.to))}`);
      break;
    case 'sms.reply':
      if (str(d.body)) parts.push(`“${str(d.body)}”`);
      break;
    case 'ack.refused':
    case 'console.called':
    case 'alarm.restored':
      if (str(d.reason)) parts.push(words(str(d.reason)!));
      break;
    case 'resident.identified':
      if (str(d.name)) parts.push(str(d.name)!);
      break;
    case 'arrival.overdue':
      if (str(d.acceptedBy)) parts.push(str(d.acceptedBy)!);
      break;
    case 'arrival.redispatched':
      // who was sent because the holder had not arrived
      if (Array.isArray(d.to) && d.to.length > 0) parts.push(`${str(d.acceptedBy) ?? ''} → ${d.to.join(', ')}`.trim());
      break;
    case 'alarm.raised': {
      // a coverage gap: the uncovered window
      const w = typeof d.data === 'object' && d.data !== null ? (d.data as Record<string, unknown>) : {};
      if (str(w.from) && str(w.until)) parts.push(`${formatTimestamp(str(w.from)!, Date.now())} – ${formatTimestamp(str(w.until)!, Date.now())}`);
      break;
    }
  }
  if (str(d.note)) parts.push(`“${str(d.note)}”`);
  return parts.join(' · ');
}
