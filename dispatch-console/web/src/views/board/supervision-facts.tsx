import { useT } from '../../i18n/index.ts';
import { formatTimestamp } from '../../lib/timestamp.ts';

/**
 * What device supervision wrote on the alarm's opening row (core/supervision-rules.ts): since
 * when the device has been silent, how many devices a centre outage took, the battery level a
 * status reported. Nothing for other alarms.
 */
export function SupervisionFacts({ raised }: { raised: { data?: Record<string, unknown> } | undefined }) {
  const { t } = useT();
  const data = raised?.data ?? {};
  const since = typeof data.since === 'string' ? data.since : undefined;
  const silent = typeof data.silent === 'number' ? data.silent : undefined;
  const supervised = typeof data.supervised === 'number' ? data.supervised : undefined;
  const battery = typeof data.battery === 'number' ? data.battery : undefined;
  return (
    <>
      {since && (
        <>
          <dt>{t('supervision.silentSince')}</dt>
          <dd>
            <time dateTime={since} data-testid="silent-since">
              {formatTimestamp(since, Date.now())}
            </time>
            {silent !== undefined && supervised !== undefined && <> · {t('supervision.outageDevices', { silent, supervised })}</>}
          </dd>
        </>
      )}
      {battery !== undefined && (
        <>
          <dt>{t('supervision.battery')}</dt>
          <dd data-testid="battery-level">{Math.round(battery * 100)}%</dd>
        </>
      )}
    </>
  );
}
