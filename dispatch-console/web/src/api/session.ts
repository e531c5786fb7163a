import type { Session } from '../types.ts';

// sessionStorage: the login ends with the tab, so a shared control-room screen does not
// stay signed in for the next person who opens the browser.
const KEY = 'console.session';

let current: Session | null = read();
const listeners = new Set<(s: Session | null, why?: 'expired') => void>();

function read(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.token === 'string' && typeof s.username === 'string' && typeof s.role === 'string'
      ? { token: s.token, username: s.username, role: s.role, caregiverId: s.caregiverId ?? null }
      : null;
  } catch {
    return null;
  }
}

export const getSession = (): Session | null => current;

export function setSession(s: Session | null, why?: 'expired'): void {
  current = s;
  try {
    if (s) window.sessionStorage.setItem(KEY, JSON.stringify(s));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // storage refused: the session lives as long as the page
  }
  for (const fn of listeners) fn(s, why);
}

export function onSessionChange(fn: (s: Session | null, why?: 'expired') => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
