import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { errorText } from '../../lib/error-text.ts';
import { setupHref } from '../../lib/hash-route.ts';
import type { Alarm } from '../../types.ts';
import type { SetupPageProps } from '../setup/setup-page-props.ts';
import { ActivityChart } from './activity-chart.tsx';
import { RecordAlarms } from './record-alarms.tsx';
import { RecordDevices } from './record-devices.tsx';
import { RecordFacts } from './record-facts.tsx';
import { RecordSettings } from './record-settings.tsx';
import type { Activity, RecordArea, RecordDevice, RecordResident } from './record-types.ts';

const DAYS = 7;
const ALARMS = 200;
// the activity's current hour fills as events arrive: read again while the page is open
const REFRESH_MS = 60_000;

interface ResidentRecord {
  resident: RecordResident;
  areas: RecordArea[];
  devices: RecordDevice[];
  alarms: Alarm[];
  activity: Activity;
}
type State = { kind: 'loading' } | { kind: 'missing' } | { kind: 'error'; text: string } | { kind: 'ok'; record: ResidentRecord };

async function load(id: string, signal: AbortSignal): Promise<ResidentRecord> {
  const q = encodeURIComponent(id);
  const [resident, areas, devices, alarms, activity] = await Promise.all([
    api<RecordResident>(`/api/residents/${q}`, { signal }),
    api<RecordArea[]>('/api/areas', { signal }),
    api<RecordDevice[]>(`/api/devices?residentId=${q}`, { signal }),
    api<Alarm[]>(`/api/alarms?status=all&residentId=${q}&limit=${ALARMS}`, { signal }),
    api<Activity>(`/api/residents/${q}/activity?days=${DAYS}`, { signal }),
  ]);
  return { resident, areas, devices, alarms, activity };
}

/** One resident's whole record: who they are, their devices, their alarms and their week of activity. */
export function ResidentRecordView({ id }: SetupPageProps & { id: string }) {
  const tr = useT();
  const { t } = tr;
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    const ctl = new AbortController();
    load(id, ctl.signal)
      .then((record) => setState({ kind: 'ok', record }))
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return;
        // a resident outside the login's area answers 404 like one that does not exist
        if (err instanceof ApiError && err.status === 404) setState({ kind: 'missing' });
        else setState({ kind: 'error', text: errorText(err, tr) });
      });
    return () => ctl.abort();
  }, [id, tick]);

  return (
    <div class="record" data-testid="resident-record" data-resident-id={id}>
      <p class="record-back">
        <a href={setupHref('residents')}>← {t('record.back')}</a>
      </p>
      {state.kind === 'loading' && <p class="placeholder">{t('record.loading')}</p>}
      {state.kind === 'missing' && <p class="error" data-testid="record-missing">{t('record.missing')}</p>}
      {state.kind === 'error' && (
        <p class="error" role="alert" data-testid="record-error">
          {state.text}
        </p>
      )}
      {state.kind === 'ok' && <RecordBody record={state.record} />}
    </div>
  );
}

function RecordBody({ record: r }: { record: ResidentRecord }) {
  const { t } = useT();
  return (
    <>
      <RecordFacts resident={r.resident} areas={r.areas} />
      <section class="panel record-section">
        <h3 class="panel-title">{t('settings.effective')}</h3>
        <RecordSettings settings={r.resident.effectiveSettings} />
      </section>
      <section class="panel record-section">
        <h3 class="panel-title">{t('record.activity.title', { days: DAYS })}</h3>
        <ActivityChart activity={r.activity} />
      </section>
      <section class="panel record-section">
        <h3 class="panel-title">
          {t('record.alarms.title')} <span class="muted">({r.alarms.length})</span>
        </h3>
        <RecordAlarms alarms={r.alarms} />
      </section>
      <section class="panel record-section">
        <h3 class="panel-title">{t('record.devices.title')}</h3>
        <RecordDevices devices={r.devices} />
      </section>
    </>
  );
}
