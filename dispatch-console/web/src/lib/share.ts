/**
 * A share (0..1) as a percentage with exactly one decimal ("62.5%", "100.0%"), in the page's
 * locale: every share on the page rounds the same way, and a column of them lines up.
 */
export function shareFormatter(locale: string): (share: number | null) => string {
  const fmt = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return (share) => (share === null || !Number.isFinite(share) ? '–' : fmt.format(share));
}

/**
 * What the chart's legend shows for a series: the value under the cursor while hovering, and
 * nothing at rest (uPlot asks with no index then), never a bare "p50: –".
 */
export function legendValue(v: number | null | undefined, idx: number | null | undefined, format: (v: number) => string): string {
  if (idx === null || idx === undefined) return '';
  return v === null || v === undefined ? '–' : format(v);
}
