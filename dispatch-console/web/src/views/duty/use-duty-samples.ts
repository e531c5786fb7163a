import { useEffect, useState } from 'preact/hooks';
import type { DutySampler } from './duty-sampler.ts';
import type { GridOnDuty } from './duty-types.ts';

export interface Samples {
  answers: Array<GridOnDuty[] | undefined>;
  /** Some answers are from before the last change and are being asked again. */
  stale: boolean;
  error: unknown;
}

interface State extends Samples {
  times: number[];
}

const HOUR_MS = 3600_000;

/**
 * The on-duty answers at `instants`, filled in as they come. Answers already in are drawn at
 * once; while the same cells are asked again (an edit, a refresh, "now" moving on within its
 * hour) the previous answers stay on screen, marked stale, so the table does not blank out.
 */
export function useDutySamples(sampler: DutySampler, instants: readonly Date[], version: number): Samples {
  const times = instants.map((d) => d.getTime());
  const key = times.join(',');
  const [state, setState] = useState<State>({ times: [], answers: [], stale: false, error: undefined });

  useEffect(() => {
    let live = true;
    // the same cells: each instant within an hour of the one it replaces (a new day or week is not)
    const sameCells = state.times.length === times.length && state.times.every((t, i) => Math.abs(t - times[i]!) < HOUR_MS);
    const fresh = instants.map((at) => sampler.peek(at) !== undefined);
    const answers = instants.map((at, i) => sampler.peek(at) ?? (sameCells ? state.answers[i] : undefined));
    const staleNow = () => answers.some((a, i) => a !== undefined && !fresh[i]);
    setState({ times, answers: [...answers], stale: staleNow(), error: undefined });
    // nearest to now first: the hour we are in and today fill in before the rest of the week
    const now = Date.now();
    const order = instants.map((_, i) => i).filter((i) => !fresh[i]);
    order.sort((a, b) => Math.abs(times[a]! - now) - Math.abs(times[b]! - now));
    for (const i of order) {
      sampler.at(instants[i]!).then(
        (answer) => {
          if (!live) return;
          answers[i] = answer;
          fresh[i] = true;
          setState((s) => ({ ...s, answers: [...answers], stale: staleNow() }));
        },
        (error: unknown) => {
          if (live) setState((s) => ({ ...s, error }));
        },
      );
    }
    return () => {
      live = false;
    };
    // the instants are keyed by their times: a new array of the same instants asks nothing again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sampler, key, version]);

  return state.times.join(',') === key ? state : { answers: instants.map((at) => sampler.peek(at)), stale: false, error: undefined };
}
