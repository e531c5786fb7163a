import { useEffect } from 'preact/hooks';
import { Store, useStore } from './store.ts';

// One interval for every running clock on the page, so they all tick together.
const now = new Store(Date.now());
let timer: number | undefined;
let users = 0;

function retain(): () => void {
  users += 1;
  if (timer === undefined) {
    // the value may be from when the last clock went away (minutes ago): catch up at once
    now.set(Date.now());
    timer = window.setInterval(() => now.set(Date.now()), 1000);
  }
  return () => {
    users -= 1;
    if (users === 0) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The local clock, updated every second while any component shows it. */
export function useNow(): number {
  useEffect(retain, []);
  return useStore(now, (n) => n);
}
