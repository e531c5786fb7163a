import type { adminEn } from './admin.en.ts';

export const adminZh: Record<keyof typeof adminEn, string> = {
  'admin.title': 'admin',
};
