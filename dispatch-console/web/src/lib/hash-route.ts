import { useEffect, useState } from 'preact/hooks';

export type Route = 'board' | 'reports' | 'audit' | 'setup';

/** The pages of #/setup/<page>[/<id>]: the centre's administration. */
export const setupPages = ['areas', 'residents', 'devices', 'caregivers', 'duty', 'users', 'import'] as const;
export type SetupPage = (typeof setupPages)[number];

const segments = (hash: string) => hash.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map(decodeURIComponent);

// Hash routing: the server serves the page only at `/`, so a reload of `#/reports` still works.
const routeOf = (hash: string): Route => {
  const first = segments(hash)[0] ?? '';
  return first === 'reports' || first === 'audit' || first === 'setup' ? first : 'board';
};

/** #/setup/residents/<id> → { page: 'residents', id }; an unknown page is the first one. */
export function setupPathOf(hash: string): { page: SetupPage; id: string | undefined } {
  const [, page, id] = segments(hash);
  const known = (setupPages as readonly string[]).includes(page ?? '') ? (page as SetupPage) : 'residents';
  return { page: known, id };
}

export const setupHref = (page: SetupPage, id?: string) => `#/setup/${page}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

/** #/alarm/<id>: the board with that alarm's detail open (a link from elsewhere, e.g. the resident record). */
export const boardAlarmHref = (alarmId: string) => `#/alarm/${encodeURIComponent(alarmId)}`;
export function boardAlarmOf(hash: string): string | null {
  const [first, id] = segments(hash);
  return first === 'alarm' && id ? id : null;
}

function useHash(): string {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export function useHashRoute(): Route {
  return routeOf(useHash());
}

export function useSetupPath(): { page: SetupPage; id: string | undefined } {
  return setupPathOf(useHash());
}
