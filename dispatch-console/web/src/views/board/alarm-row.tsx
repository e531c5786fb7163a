import { useT } from '../../i18n/index.ts';
import type { Alarm, Caregiver } from '../../types.ts';
import { AlarmClocks } from './alarm-clocks.tsx';
import { NotifiedList } from './notified-list.tsx';

interface Props {
  alarm: Alarm;
  caregivers: ReadonlyMap<string, Caregiver>;
  fresh: boolean;
  selected: boolean;
  skewMs: number;
  onSelect: (id: string) => void;
}

export function AlarmRow({ alarm: a, caregivers, fresh, selected, skewMs, onSelect }: Props) {
  const tr = useT();
  const { t } = tr;
  const classes = ['alarm-row', `prio-${a.priority}`, `status-${a.status}`, fresh && 'alarm-row-new', selected && 'selected'].filter(Boolean).join(' ');
  return (
    <li
      class={classes}
      data-testid="alarm-row"
      data-alarm-id={a.id}
      data-status={a.status}
      data-priority={a.priority}
      // a row picks the alarm the detail shows: an option of the queue's listbox to assistive
      // technology (a bare clickable <li> is announced as plain text)
      role="option"
      aria-selected={selected}
      tabIndex={0}
      onClick={() => onSelect(a.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(a.id);
        }
      }}
    >
      <AlarmClocks alarm={a} skewMs={skewMs} />
      <div class="ar-main">
        <div class="ar-title">
          <span class="prio-badge">{tr.label('priority', a.priority)}</span>
          <span class="ar-kind">{tr.label('kind', a.kind)}</span>
          {a.service && (
            <span class="pill pill-muted" data-testid="alarm-service">
              {tr.label('service', a.service)}
            </span>
          )}
          <span class="ar-resident">{a.resident.name || t('queue.unknownResident')}</span>
          <span class={`pill pill-${a.status}`}>{tr.label('status', a.status)}</span>
          {a.eventCount > 1 && <span class="pill pill-muted">{t('queue.events', { n: a.eventCount })}</span>}
        </div>
        <div class="ar-where">
          <span class="ar-grid">{a.resident.grid ?? t('queue.noGrid')}</span>
          <span class="ar-address">{a.resident.address ?? t('queue.noAddress')}</span>
        </div>
      </div>
      <div class="ar-people">
        {a.status === 'open' && (
          <div class="ar-step">
            {t('queue.step', { n: a.step })}
            {a.stepKind && <> · {tr.label('step', a.stepKind)}</>}
          </div>
        )}
        {a.acceptedByName ? <div class="ar-accepted">{t('queue.acceptedBy', { name: a.acceptedByName })}</div> : <NotifiedList alarm={a} caregivers={caregivers} />}
        {a.arrivalOverdue && <div class="flag flag-red">{t('queue.arrivalOverdue')}</div>}
      </div>
    </li>
  );
}
