import { useState } from 'preact/hooks';
import { setupHref } from '../../lib/hash-route.ts';
import { useT } from '../../i18n/index.ts';
import { AdminTable, dataOf, LoadState, useLoad } from './admin-kit.tsx';
import type { AreaRow, ResidentRow } from './admin-types.ts';
import { areaPath } from './area-tree.ts';
import { ResidentForm } from './resident-form.tsx';
import { residentMatches } from './resident-filter.ts';
import type { SetupPageProps } from './setup-page-props.ts';
import { UntestedButtons } from './untested-buttons.tsx';

/**
 * `#/setup/residents`: everyone cared for, searchable; a new resident or a change opens the
 * form beside the list. A name opens the resident's record (#/setup/residents/<id>).
 */
export function ResidentsView(_props: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const [residents, reload] = useLoad<ResidentRow[]>('/api/residents');
  const [areasLoaded] = useLoad<AreaRow[]>('/api/areas');
  const areas = dataOf(areasLoaded, []);
  const [filter, setFilter] = useState('');
  // undefined: no form; null: a new resident
  // a new form for each row picked; a save keeps it (and its "saved" line)
  const [formKey, setFormKey] = useState(0);
  const [editing, setEditing] = useState<ResidentRow | null | undefined>(undefined);
  const rows = dataOf(residents, []).filter((r) => residentMatches(r, areaPath(areas, r.areaId), filter));

  return (
    <div class="admin-page admin-split" data-testid="residents-page">
      <div class="admin-main">
        <div class="admin-toolbar">
          <h2 class="panel-title">{t('admin.residents.title')}</h2>
          <input type="search" data-testid="resident-filter" placeholder={t('admin.residents.filter')} aria-label={t('setup.search')} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          <button type="button" class="btn btn-secondary" data-testid="resident-new" onClick={() => (setEditing(null), setFormKey((k) => k + 1))}>
            {t('admin.residents.new')}
          </button>
        </div>
        <LoadState loaded={residents} empty={rows.length === 0} />
        {rows.length > 0 && (
          <AdminTable testid="resident-table" columns={['admin.name', 'admin.residents.address', 'admin.phone', 'admin.grid']}>
                {rows.map((r) => (
                  <tr key={r.id} data-testid="resident-row" data-name={r.name} class={editing?.id === r.id ? 'selected' : undefined}>
                    <td class="left">
                      <a href={setupHref('residents', r.id)} data-testid="resident-record-link">
                        {r.name}
                      </a>
                    </td>
                    <td class="left">{r.address ?? ''}</td>
                    <td class="left">{r.phone ?? ''}</td>
                    <td class="left">{areaPath(areas, r.areaId)}</td>
                    <td>
                      <button type="button" class="btn btn-quiet" data-testid="resident-edit" onClick={() => (setEditing(r), setFormKey((k) => k + 1))}>
                        {t('setup.edit')}
                      </button>
                    </td>
                  </tr>
                ))}
          </AdminTable>
        )}
        <UntestedButtons />
      </div>
      {editing !== undefined && (
        <ResidentForm
          key={formKey}
          resident={editing}
          areas={areas}
          onClose={() => setEditing(undefined)}
          onSaved={(r) => {
            setEditing(r);
            reload();
          }}
          onDeleted={() => {
            setEditing(undefined);
            reload();
          }}
        />
      )}
    </div>
  );
}
