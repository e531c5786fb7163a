import { useT } from '../../i18n/index.ts';
import { formatDuration } from '../../lib/duration.ts';
import { boardAlarmHref } from '../../lib/hash-route.ts';
import type { Alarm } from '../../types.ts';

/** The resident's alarms, newest first, each with how fast it was accepted, reached and resolved, and how it ended. */
export function RecordAlarms({ alarms }: { alarms: readonly Alarm[] }) {
  const tr = useT();
  const { t } = tr;
  if (alarms.length === 0) return <p class="placeholder" data-testid="record-no-alarms">{t('record.alarms.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="report record-table" data-testid="record-alarms">
        <thead>
          <tr>
            <th class="left">{t('record.alarms.raised')}</th>
            <th class="left">{t('record.alarms.kind')}</th>
            <th class="left">{t('record.alarms.priority')}</th>
            <th class="left">{t('record.alarms.status')}</th>
            <th>{t('record.alarms.toAccept')}</th>
            <th>{t('record.alarms.toArrive')}</th>
            <th>{t('record.alarms.toResolve')}</th>
            <th class="left">{t('record.alarms.acceptedBy')}</th>
            <th class="left">{t('record.alarms.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {alarms.map((a) => (
            <tr key={a.id} data-testid="record-alarm" data-alarm-id={a.id} data-status={a.status} class={`prio-${a.priority}`}>
              <td class="left" title={a.raisedAt}>
                <a href={boardAlarmHref(a.id)} title={t('record.alarms.open')} data-testid="record-alarm-link">
                  {tr.dateTime(a.raisedAt)}
                </a>
              </td>
              <td class="left">{tr.label('kind', a.kind)}</td>
              <td class="left">{tr.label('priority', a.priority)}</td>
              <td class="left">
                <span class={`pill pill-${a.status}`}>{tr.label('status', a.status)}</span>
              </td>
              <td data-testid="record-to-accept">{formatDuration(a.timeToAcceptS)}</td>
              <td data-testid="record-to-arrive">{formatDuration(a.timeToArriveS)}</td>
              <td data-testid="record-to-resolve">{formatDuration(a.timeToResolveS)}</td>
              <td class="left">{a.acceptedByName ?? '–'}</td>
              <td class="left">{a.outcome ? tr.label('outcome', a.outcome) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
