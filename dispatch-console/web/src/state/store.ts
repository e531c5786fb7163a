import { useEffect, useReducer, useRef } from 'preact/hooks';

/** A value many components read and a few write; each reader re-renders when its slice changes. */
export class Store<S> {
  private listeners = new Set<() => void>();
  constructor(private state: S) {}

  get = (): S => this.state;

  set(next: S): void {
    if (next === this.state) return;
    this.state = next;
    for (const fn of [...this.listeners]) fn();
  }

  update(fn: (s: S) => S): void {
    this.set(fn(this.state));
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/**
 * The selected slice of a store, read fresh on every render; a store change re-renders the
 * component only when the slice is a different value (select from props freely: the latest
 * selector is used).
 */
export function useStore<S, T>(store: Store<S>, select: (s: S) => T): T {
  const selectRef = useRef(select);
  selectRef.current = select;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const value = select(store.get());
  const lastRef = useRef(value);
  lastRef.current = value;
  useEffect(() => {
    const check = () => {
      const next = selectRef.current(store.get());
      if (next !== lastRef.current) {
        lastRef.current = next;
        rerender(0);
      }
    };
    const unsubscribe = store.subscribe(check);
    // effects run after paint: a change between the render and now would otherwise be missed
    check();
    return unsubscribe;
  }, [store]);
  return value;
}
