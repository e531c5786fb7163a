import { useT } from '../../i18n/index.ts';
import { setupHref } from '../../lib/hash-route.ts';
import type { OnDutyPerson } from './duty-grid.ts';

/** Names shown in a day cell before it shows a count instead (the names are then in its title). */
const MAX_NAMES = 2;

/** The title of a cell: when it was read and who was on duty (or that nobody was). */
export function cellTitle(people: OnDutyPerson[] | undefined, when: string, t: ReturnType<typeof useT>['t']): string {
  if (people === undefined) return `${when}: ${t('duty.loading')}`;
  if (people.length === 0) return `${when}: ${t('duty.nobody')}`;
  return `${when}: ${people.map((p) => p.name).join(', ')}`;
}

/** One hour of one grid in the day view: the names (links to their rotas), a count, or red "nobody". */
export function DayCell({ people, title, now }: { people: OnDutyPerson[] | undefined; title: string; now: boolean }) {
  const { t } = useT();
  const state = people === undefined ? 'unknown' : people.length === 0 ? 'gap' : 'covered';
  return (
    <td
      class={`duty-cell duty-${state}${now ? ' duty-now' : ''}`}
      title={title}
      data-testid="duty-cell"
      data-state={state}
      data-names={people?.map((p) => p.name).join('|') ?? ''}
    >
      {people === undefined ? (
        ''
      ) : people.length === 0 ? (
        <span class="duty-nobody" aria-label={t('duty.nobody')}>
          ✕
        </span>
      ) : people.length > MAX_NAMES ? (
        <span class="duty-count">{people.length}</span>
      ) : (
        people.map((p) => (
          <a key={p.id} class="duty-name" href={setupHref('duty', p.id)}>
            {p.name}
          </a>
        ))
      )}
    </td>
  );
}
