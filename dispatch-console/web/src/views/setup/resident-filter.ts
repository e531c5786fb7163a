import type { ResidentRow } from './admin-types.ts';

/** Whether a resident matches the filter: by name, address, phone (digits too) or grid. */
export function residentMatches(r: ResidentRow, grid: string, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  const digits = f.replace(/\D/g, '');
  const hay = [r.name, r.address ?? '', r.phone ?? '', grid].join('\n').toLowerCase();
  return hay.includes(f) || (digits.length >= 3 && (r.phone ?? '').replace(/\D/g, '').includes(digits));
}
