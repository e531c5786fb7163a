import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { PhoneLink } from '../../components/phone-link.tsx';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import { setupHref } from '../../lib/hash-route.ts';
import { formatTimestamp } from '../../lib/timestamp.ts';
import { mergeTimeline } from '../../state/board-state.ts';
import { board, connection } from '../../state/live-board.ts';
import { useStore } from '../../state/store.ts';
import type { Alarm, AlarmDetailData, Session } from '../../types.ts';
import { AlarmActions } from './alarm-actions.tsx';
import { AlarmClocks } from './alarm-clocks.tsx';
import { NotificationList } from './notification-list.tsx';
import { SupervisionFacts } from './supervision-facts.tsx';
import { TimelineList } from './timeline-list.tsx';

// timeline codes that mean a new notification row exists (alarm-state.ts logs one per notice)
const NEW_NOTICE_CODES = new Set(['notification.sent', 'console.called']);

/**
 * One alarm in full: the facts a caller needs, the actions, the timeline and notifications.
 * The timeline is fetched once (and again after a resync); rows the stream brings later are
 * merged in by id. Notifications are not streamed, only their rows: a new one is fetched.
 */
export function AlarmDetail({ alarmId, session, onClose }: { alarmId: string; session: Session; onClose: () => void }) {
  const tr = useT();
  const { t } = tr;
  const live = useStore(board, (s) => s.alarms.get(alarmId));
  const streamRows = useStore(board, (s) => s.timelines.get(alarmId));
  const snapshotSeq = useStore(board, (s) => s.snapshotSeq);
  const skewMs = useStore(board, (s) => s.skewMs);
  const sms = useStore(board, (s) => s.sms);
  const [detail, setDetail] = useState<AlarmDetailData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  // the newest stream row announcing a notification: the list is fetched again when it changes
  const noticeMark = (streamRows ?? []).reduce((max, r) => (NEW_NOTICE_CODES.has(r.code) ? Math.max(max, r.id) : max), 0);

  useEffect(() => {
    const ctl = new AbortController();
    api<AlarmDetailData>(`/api/alarms/${encodeURIComponent(alarmId)}`, { signal: ctl.signal })
      .then((d) => {
        setDetail(d);
        setError(null);
        // without the stream this answer is the newest word on the alarm: the queue row follows it
        if (connection.get().kind !== 'live') {
          const { timeline: _t, notifications: _n, ...view } = d;
          board.update((s) => ({ ...s, alarms: new Map(s.alarms).set(view.id, view) }));
        }
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(errorText(err, tr));
      });
    return () => ctl.abort();
  }, [alarmId, snapshotSeq, reload, noticeMark]);

  // the board's copy is the newest: the stream keeps it current, and without the stream every
  // fetch above, action answer and poll is written into it (a poll can be newer than the fetch)
  const alarm: Alarm | undefined = live ?? detail ?? undefined;
  if (!alarm) {
    return (
      <div class="detail" data-testid="alarm-detail" data-alarm-id={alarmId}>
        {error ? <p class="error">{error}</p> : <p class="placeholder">{t('detail.loading')}</p>}
      </div>
    );
  }
  const timeline = mergeTimeline(detail?.timeline ?? [], streamRows ?? []);
  const raised = timeline.find((r) => r.code === 'alarm.raised');
  const service = serviceOf(raised?.detail);
  const r = alarm.resident;
  return (
    <div class={`detail prio-${alarm.priority}`} data-testid="alarm-detail" data-alarm-id={alarm.id} data-status={alarm.status}>
      <header class="detail-head">
        <div class="detail-badges">
          <span class="prio-badge">{tr.label('priority', alarm.priority)}</span>
          <span class="detail-kind">
            {tr.label('kind', alarm.kind)}
            {service && <> · {tr.label('service', service)}</>}
          </span>
          <span class={`pill pill-${alarm.status}`}>{tr.label('status', alarm.status)}</span>
          <button type="button" class="btn btn-quiet detail-close" onClick={onClose} aria-label={t('detail.close')}>
            ✕
          </button>
        </div>
        <h3 class="detail-resident">{r.name || t('queue.unknownResident')}</h3>
        <AlarmClocks alarm={alarm} skewMs={skewMs} />
        <dl class="facts">
          <Fact label={t('detail.address')}>
            {r.address ?? t('queue.noAddress')} · <b>{r.grid ?? t('queue.noGrid')}</b>
          </Fact>
          {r.phone && (
            <Fact label={t('detail.phone')}>
              <PhoneLink phone={r.phone} />
            </Fact>
          )}
          {r.notes && (
            <Fact label={t('detail.notes')}>
              <span class="notes">{r.notes}</span>
            </Fact>
          )}
          <Fact label={t('detail.raisedAt')}>
            <time dateTime={alarm.raisedAt} data-testid="raised-at">
              {formatTimestamp(alarm.raisedAt, Date.now())}
            </time>
          </Fact>
          <Fact label={t('detail.device')}>{alarm.deviceId}</Fact>
          <SupervisionFacts raised={raised?.detail as { data?: Record<string, unknown> } | undefined} />
          {alarm.residentId && (
            <Fact label={t('record.title')}>
              <a href={setupHref('residents', alarm.residentId)} data-testid="resident-record-link">
                {t('record.link')}
              </a>
            </Fact>
          )}
          <Fact label={t('detail.replyCode')}>{alarm.replyCode}</Fact>
          {alarm.acceptedByName && (
            // the accept that stands now (a reassignment clears it; the next accept sets it)
            <Fact label={t('status.accepted')}>
              <span data-testid="accepted-by">{alarm.acceptedByName}</span>
              {alarm.acceptedAt && (
                <>
                  {' · '}
                  <time dateTime={alarm.acceptedAt} data-testid="accepted-at">
                    {formatTimestamp(alarm.acceptedAt, Date.now())}
                  </time>
                </>
              )}
            </Fact>
          )}
          {alarm.outcome && <Fact label={t('detail.outcome')}>{tr.label('outcome', alarm.outcome)}</Fact>}
        </dl>
      </header>
      <AlarmActions alarm={alarm} session={session} onDone={() => setReload((n) => n + 1)} />
      {error && <p class="error">{error}</p>}
      <h4 class="detail-section">{t('detail.timeline')}</h4>
      <TimelineList rows={timeline} />
      <h4 class="detail-section">{t('detail.notifications')}</h4>
      <NotificationList notifications={detail?.notifications ?? []} sms={sms} />
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The requested service of a `service.request` alarm, from its first event's data. */
function serviceOf(detail: Record<string, unknown> | undefined): string | undefined {
  const data = detail?.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const service = (data as Record<string, unknown>).service;
  return typeof service === 'string' ? service : undefined;
}
