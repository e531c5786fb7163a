import type { recordEn } from './record.en.ts';

export const recordZh: Record<keyof typeof recordEn, string> = {
  'record.title': 'record',
};
