import type { ComponentChildren } from 'preact';
import { PhoneLink } from '../../components/phone-link.tsx';
import { useT } from '../../i18n/index.ts';
import type { RecordArea, RecordResident } from './record-types.ts';

/** District › street › community › grid, as far up as the login may see. */
export function areaPath(areas: readonly RecordArea[], areaId: string): string {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const names: string[] = [];
  for (let a = byId.get(areaId); a && names.length < 8; a = a.parentId ? byId.get(a.parentId) : undefined) names.unshift(a.name);
  return names.join(' › ');
}

/** Who the resident is and how to reach them and their family: the record's header. */
export function RecordFacts({ resident: r, areas }: { resident: RecordResident; areas: readonly RecordArea[] }) {
  const { t } = useT();
  return (
    <header class="panel record-head" data-testid="record-head">
      <h2 class="record-name" data-testid="record-name">
        {r.name}
      </h2>
      <dl class="facts">
        <Fact label={t('record.address')}>{r.address ?? t('record.none')}</Fact>
        <Fact label={t('record.grid')}>
          <b data-testid="record-grid">{areaPath(areas, r.areaId) || r.areaId}</b>
        </Fact>
        <Fact label={t('record.phone')}>{r.phone ? <PhoneLink phone={r.phone} /> : t('record.none')}</Fact>
        {r.accessInfo && (
          <Fact label={t('record.access')}>
            <span class="notes" data-testid="record-access">
              {r.accessInfo}
            </span>
          </Fact>
        )}
        <Fact label={t('record.notes')}>{r.notes ? <span class="notes">{r.notes}</span> : t('record.none')}</Fact>
        <Fact label={t('record.contacts')}>
          {r.contacts.length === 0 ? (
            t('record.none')
          ) : (
            <ol class="record-contacts" data-testid="record-contacts">
              {r.contacts.map((c, i) => (
                <li key={i}>
                  {c.name}
                  {c.relation && <span class="muted"> ({c.relation})</span>} · <PhoneLink phone={c.phone} />
                </li>
              ))}
            </ol>
          )}
        </Fact>
      </dl>
    </header>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
