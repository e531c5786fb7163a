import { useT } from '../../i18n/index.ts';
import { acceptClock, arriveClock, clockCaption, type ClockReading } from '../../lib/alarm-clock.ts';
import { formatDuration } from '../../lib/duration.ts';
import { useNow } from '../../state/ticker.ts';
import type { Alarm } from '../../types.ts';

/**
 * The accept clock ("waiting 0:42", then "accepted in 0:04") and, once someone accepted, the
 * arrive clock ("on the way 0:50", then "arrived in 12:30", counted from the accept). The
 * caption comes first so that no clock reads as a countdown. Server time: local plus the skew.
 */
export function AlarmClocks({ alarm, skewMs }: { alarm: Alarm; skewMs: number }) {
  const now = useNow() + skewMs;
  const accept = acceptClock(alarm, now);
  const arrive = arriveClock(alarm, now);
  return (
    <div class="clocks">
      <Clock testId="alarm-clock" which="accept" reading={accept} big />
      {arrive && <Clock testId="arrive-clock" which="arrive" reading={arrive} />}
    </div>
  );
}

function Clock({ testId, which, reading, big }: { testId: string; which: 'accept' | 'arrive'; reading: ClockReading; big?: boolean }) {
  const { t } = useT();
  return (
    <div
      class={`clock clock-${reading.level} clock-${reading.state}${big ? ' clock-big' : ''}`}
      data-testid={testId}
      data-state={reading.state}
      data-level={reading.level}
      title={t('clock.limit', { t: formatDuration(reading.limitS) })}
    >
      <span class="clock-caption">{t(clockCaption(which, reading))}</span>{' '}
      <span class="clock-time">{formatDuration(reading.seconds)}</span>
    </div>
  );
}
