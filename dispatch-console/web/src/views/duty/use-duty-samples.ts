import { useEffect, useState } from 'preact/hooks';
import type { DutySampler } from './duty-sampler.ts';
import type { GridOnDuty } from './duty-types.ts';

export interface Samples {
  answers: Array<GridOnDuty[] | undefined>;
  /** Some answers are from before the last change and are being asked again. */
  stale: boolean;
  error: unknown;
}

/**
 * The on-duty answers at `instants`, filled in as they come. After `version` changes (an edit,
 * a refresh) the previous answers stay on screen, marked stale, until the new ones replace
 * them, so the table does not blank out on every edit.
 */
export function useDutySamples(sampler: DutySampler, instants: readonly Date[], version: number): Samples {
  const key = instants.map((d) => d.getTime()).join(',');
  const [state, setState] = useState<Samples & { key: string }>({ key: '', answers: [], stale: false, error: undefined });

  useEffect(() => {
    let live = true;
    const keep = state.key === key;
    const answers: Array<GridOnDuty[] | undefined> = keep ? [...state.answers] : instants.map(() => undefined);
    const fresh = instants.map(() => false);
    setState({ key, answers: [...answers], stale: keep, error: undefined });
    // nearest to now first: the hour we are in and today fill in before the rest of the week
    const t = Date.now();
    const order = instants.map((_, i) => i).sort((a, b) => Math.abs(instants[a]!.getTime() - t) - Math.abs(instants[b]!.getTime() - t));
    order.forEach((i) => {
      sampler.at(instants[i]!).then(
        (answer) => {
          if (!live) return;
          answers[i] = answer;
          fresh[i] = true;
          setState((s) => ({ ...s, answers: [...answers], stale: !fresh.every(Boolean) && s.stale }));
        },
        (error: unknown) => {
          if (live) setState((s) => ({ ...s, error }));
        },
      );
    });
    return () => {
      live = false;
    };
    // the instants are keyed by their times: a new array of the same instants asks nothing again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sampler, key, version]);

  return state.key === key ? state : { answers: instants.map(() => undefined), stale: false, error: undefined };
}
