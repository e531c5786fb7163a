import { useEffect, useState } from 'preact/hooks';

export type Route = 'board' | 'reports' | 'audit';

// Hash routing: the server serves the page only at `/`, so a reload of `#/reports` still works.
const routeOf = (hash: string): Route => {
  const path = hash.replace(/^#\/?/, '');
  return path.startsWith('reports') ? 'reports' : path.startsWith('audit') ? 'audit' : 'board';
};

export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
