import type { dutyEn } from './duty.en.ts';

export const dutyZh: Record<keyof typeof dutyEn, string> = {
  'duty.title': 'duty',
};
