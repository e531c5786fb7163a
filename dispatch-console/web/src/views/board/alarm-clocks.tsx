import { useT } from '../../i18n/index.ts';
import { acceptClock, arriveClock, type ClockReading } from '../../lib/alarm-clock.ts';
import { formatDuration } from '../../lib/duration.ts';
import { useNow } from '../../state/ticker.ts';
import type { Alarm } from '../../types.ts';

/**
 * The accept clock (running while open, then frozen at the time to accept) and, once someone
 * accepted, the arrive clock. Times count on the server's clock: local time plus the skew.
 */
export function AlarmClocks({ alarm, skewMs }: { alarm: Alarm; skewMs: number }) {
  const { t } = useT();
  const now = useNow() + skewMs;
  const accept = acceptClock(alarm, now);
  const arrive = arriveClock(alarm, now);
  return (
    <div class="clocks">
      <Clock testId="alarm-clock" reading={accept} caption={t(accept.state === 'running' ? 'clock.toAccept' : 'clock.accepted')} big />
      {arrive && <Clock testId="arrive-clock" reading={arrive} caption={t(arrive.state === 'running' ? 'clock.toArrive' : 'clock.arrived')} />}
    </div>
  );
}

function Clock({ testId, reading, caption, big }: { testId: string; reading: ClockReading; caption: string; big?: boolean }) {
  const { t } = useT();
  return (
    <div
      class={`clock clock-${reading.level} clock-${reading.state}${big ? ' clock-big' : ''}`}
      data-testid={testId}
      data-state={reading.state}
      data-level={reading.level}
      title={t('clock.limit', { t: formatDuration(reading.limitS) })}
    >
      <span class="clock-time">{formatDuration(reading.seconds, true)}</span>
      <span class="clock-caption">{caption}</span>
    </div>
  );
}
