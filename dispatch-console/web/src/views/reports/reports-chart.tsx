import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useT, type Translator } from '../../i18n/index.ts';
import { formatDuration } from '../../lib/duration.ts';
import { legendValue } from '../../lib/share.ts';
import { isoDay } from '../../lib/timestamp.ts';
import type { ReportGrouping, ReportRow } from '../../types.ts';
import { groupLabel } from './reports-table.tsx';

const HEIGHT = 240;
// the page's palette (styles/base.css): p90 light, p50 dark, so the spread reads at a glance
const P90 = { stroke: '#7c93b8', fill: 'rgba(124, 147, 184, 0.45)' };
const P50 = { stroke: '#1f3f73', fill: 'rgba(31, 63, 115, 0.85)' };

/**
 * p50 and p90 time to accept per group: overlaid bars per group, or lines over the days
 * when grouped by day (a trend reads better as a line).
 */
export function ReportsChart({ rows, groupBy, period }: { rows: readonly ReportRow[]; groupBy: ReportGrouping; period: [number, number] }) {
  const tr = useT();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || rows.length === 0) return;
    const plot = new uPlot(options(rows, groupBy, tr, el.clientWidth || 800, period), data(rows, groupBy), el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [rows, groupBy, tr, period[0], period[1]]);

  return (
    <figure class="chart">
      <figcaption>{tr.t('reports.chartTitle')}</figcaption>
      <div ref={box} class="chart-box" data-testid="reports-chart" data-series={rows.length} />
    </figure>
  );
}

/** Local midnight of a YYYY-MM-DD key, in seconds (uPlot's time unit). */
const daySeconds = (key: string | null) => {
  const [y, m, d] = (key ?? '').split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).getTime() / 1000;
};

function data(rows: readonly ReportRow[], groupBy: ReportGrouping): uPlot.AlignedData {
  const xs = groupBy === 'day' ? rows.map((r) => daySeconds(r.key)) : rows.map((_, i) => i);
  return [xs, rows.map((r) => r.accept.p90), rows.map((r) => r.accept.p50)];
}

function options(rows: readonly ReportRow[], groupBy: ReportGrouping, tr: Translator, width: number, period: [number, number]): uPlot.Options {
  const byDay = groupBy === 'day';
  const labels = rows.map((r) => groupLabel(r, groupBy, tr));
  // the legend shows the values under the cursor while hovering, and no "p50: –" at rest
  const seconds = (_u: uPlot, v: number | null, _si: number, idx: number | null) => legendValue(v, idx, (x) => formatDuration(x));
  const bars = uPlot.paths.bars!;
  const series = (name: string, c: { stroke: string; fill: string }, size: number): uPlot.Series =>
    byDay
      ? { label: name, stroke: c.stroke, width: 2, points: { show: true, size: 6, fill: c.stroke }, value: seconds }
      : { label: name, stroke: c.stroke, fill: c.fill, width: 1, paths: bars({ size: [size, 80] }), points: { show: false }, value: seconds };
  return {
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { points: { show: byDay } },
    scales: {
      // by day: the whole period asked for, quiet days included (the last day starts before `to`)
      x: byDay ? { time: true, range: [period[0] - 43_200, period[1] - 43_200] } : { time: false, range: [-0.5, rows.length - 0.5] },
      // from zero, with room above the tallest bar
      y: { range: (_u, _min, max) => [0, Math.max(60, (max || 0) * 1.1)] },
    },
    axes: [
      byDay
        ? { stroke: '#4a5568', splits: () => daySplits(period), values: (_u, splits) => splits.map((s) => tr.day(s * 1000)) }
        : {
            stroke: '#4a5568',
            splits: () => rows.map((_, i) => i),
            values: (_u, splits) => splits.map((i) => truncate(labels[i] ?? '', 14)),
          },
      { stroke: '#4a5568', size: 56, values: (_u, splits) => splits.map((v) => formatDuration(v)) },
    ],
    series: [
      { label: tr.label('group', groupBy), value: (_u, v) => (v === null ? '' : byDay ? isoDay(v * 1000) : (labels[v] ?? '')) },
      series(tr.t('col.p90'), P90, 0.7),
      series(tr.t('col.p50'), P50, 0.4),
    ],
  };
}

/** Local midnights across the period, thinned to about 15 labels. */
function daySplits([from, to]: [number, number]): number[] {
  const days: number[] = [];
  const start = new Date(from * 1000);
  for (let d = new Date(start); d.getTime() / 1000 < to; d.setDate(d.getDate() + 1)) days.push(d.getTime() / 1000);
  const step = Math.ceil(days.length / 15);
  return days.filter((_, i) => i % step === 0);
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
