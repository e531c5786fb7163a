import { useT, type MessageKey } from '../../i18n/index.ts';
import { ACTIVITY_KINDS, activityLayout, type Kind } from './activity-layout.ts';
import type { Activity } from './record-types.ts';

// drawn in SVG units; the viewBox scales the whole to the panel's width
const BAR = 5;
const LEFT = 84;
const TOP = 22;
const ROW = 56;
const GAP = 12;
const COLOURS: Record<Kind, string> = { motion: '#1f3f73', door: '#d9660b', bed: '#1b7f3b' };

const locales = { en: 'en-GB', zh: 'zh-CN' } as const;

/**
 * Motion, door and bed events per hour over the last days, one row each on its own scale (a
 * door opens a few times a day, motion fires hundreds of times), nights shaded and local days
 * labelled, so the usual rhythm of the home (up at seven, quiet at night) reads at a glance.
 */
export function ActivityChart({ activity }: { activity: Activity }) {
  const tr = useT();
  const { t } = tr;
  const { hours } = activity;
  const { starts, nights, midnights, max } = activityLayout(hours);
  const width = LEFT + hours.length * BAR + 8;
  const height = TOP + ACTIVITY_KINDS.length * (ROW + GAP);
  const weekday = new Intl.DateTimeFormat(locales[tr.lang], { weekday: 'short' });
  const hourOf = new Intl.DateTimeFormat(locales[tr.lang], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const x = (i: number) => LEFT + i * BAR;
  const kindName = (k: Kind) => t(`record.activity.${k}` as MessageKey);

  return (
    <figure class="activity-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('record.activity.aria', { days: Math.round(hours.length / 24) })}
        data-testid="activity-chart"
        data-hours={hours.length}
      >
        {nights.map((n) => (
          <rect key={`n${n.from}`} class="night" x={x(n.from)} y={TOP - 4} width={(n.to - n.from) * BAR} height={height - TOP + 4} />
        ))}
        {midnights.map((i) => (
          <g key={`d${i}`}>
            <line class="midnight" x1={x(i)} x2={x(i)} y1={TOP - 16} y2={height} />
            <text class="day-label" x={x(i) + 3} y={TOP - 8}>
              {weekday.format(starts[i])} {tr.day(starts[i]!)}
            </text>
          </g>
        ))}
        {ACTIVITY_KINDS.map((k, row) => {
          const base = TOP + row * (ROW + GAP) + ROW;
          const scale = max[k] > 0 ? ROW / max[k] : 0;
          return (
            <g key={k} data-kind={k}>
              <text class="row-label" x={4} y={base - ROW / 2}>
                {kindName(k)}
              </text>
              <text class="row-max" x={4} y={base - ROW / 2 + 14}>
                {t('record.activity.max', { n: max[k] })}
              </text>
              <line class="baseline" x1={LEFT} x2={width - 8} y1={base} y2={base} />
              {hours.map((h, i) =>
                h[k] === 0 ? null : (
                  <rect key={i} data-testid="activity-bar" data-kind={k} x={x(i)} y={base - h[k] * scale} width={BAR - 1} height={h[k] * scale} fill={COLOURS[k]}>
                    <title>{`${tr.day(starts[i]!)} ${hourOf.format(starts[i])} · ${kindName(k)}: ${h[k]}`}</title>
                  </rect>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted small" data-testid="activity-totals">
        {t('record.activity.totals', { motion: activity.totals.motion, door: activity.totals.door, bed: activity.totals.bed })}
        {' · '}
        {t('record.activity.legend')}
      </figcaption>
    </figure>
  );
}
