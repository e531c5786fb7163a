import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { shareFormatter } from '../lib/share.ts';
import { formatTimestamp, shortDay } from '../lib/timestamp.ts';
import { en, type Catalogue, type MessageKey } from './en.ts';
import { zh } from './zh.ts';

export const languages = ['en', 'zh'] as const;
export type Lang = (typeof languages)[number];
export type { MessageKey };

const catalogues: Record<Lang, Catalogue> = { en, zh };
const STORAGE_KEY = 'console.lang';
// en-GB: 24-hour clock and day-month order, what a control room reads without thinking
const locales: Record<Lang, string> = { en: 'en-GB', zh: 'zh-CN' };

const isLang = (v: unknown): v is Lang => typeof v === 'string' && (languages as readonly string[]).includes(v);

/** The saved choice, else the browser's language (any zh-* gets Chinese). */
export function initialLang(): Lang {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (isLang(saved)) return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function saveLang(lang: Lang): void {
  safeStorage()?.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

// private windows and locked-down kiosks may refuse storage; the page still works without it
function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export type Params = Record<string, string | number>;

export interface Translator {
  lang: Lang;
  /** The whole catalogue (for pure helpers that pick a key themselves, e.g. lib/error-message.ts). */
  messages: Catalogue;
  t(key: MessageKey, params?: Params): string;
  /** A label for an open-ended value (`kind`, `step`, `timeline`…): the raw value when unknown. */
  label(prefix: string, value: string | null | undefined): string;
  time(iso: string | number | Date): string;
  /** An instant as everywhere on the page (lib/timestamp.ts): numeric, the date only when not today. */
  dateTime(iso: string | number | Date): string;
  /** MM-DD (chart axes): the page's one date format without its year. */
  day(iso: string | number | Date): string;
  /** One decimal, always (lib/share.ts). */
  percent(share: number | null): string;
}

export function translator(lang: Lang): Translator {
  const messages = catalogues[lang];
  const locale = locales[lang];
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const percent = shareFormatter(locale);
  const fill = (text: string, params?: Params) => (params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text);
  return {
    lang,
    messages,
    t: (key, params) => fill(messages[key], params),
    label: (prefix, value) => {
      if (value === null || value === undefined) return '';
      const key = `${prefix}.${value}`;
      return key in messages ? messages[key as MessageKey] : value;
    },
    time: (v) => timeFmt.format(new Date(v)),
    dateTime: (v) => formatTimestamp(v, Date.now()),
    day: (v) => shortDay(v),
    percent,
  };
}

export const I18n = createContext<Translator>(translator('en'));
export const useT = (): Translator => useContext(I18n);
