import type { importEn } from './import.en.ts';

export const importZh: Record<keyof typeof importEn, string> = {
  'import.title': 'import',
};
