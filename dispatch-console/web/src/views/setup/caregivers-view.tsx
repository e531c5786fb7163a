import { useState } from 'preact/hooks';
import { setupHref } from '../../lib/hash-route.ts';
import { useT } from '../../i18n/index.ts';
import { AdminTable, dataOf, LoadState, useLoad } from './admin-kit.tsx';
import type { AreaRow, CaregiverRow, DeviceRow } from './admin-types.ts';
import { areaPath } from './area-tree.ts';
import { CaregiverForm } from './caregiver-form.tsx';
import type { SetupPageProps } from './setup-page-props.ts';

/** `#/setup/caregivers`: who answers alarms, where, with which wearable; their rota is on the Duty page. */
export function CaregiversView(_props: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const [caregivers, reload] = useLoad<CaregiverRow[]>('/api/caregivers');
  const [devicesLoaded, reloadDevices] = useLoad<DeviceRow[]>('/api/devices?kind=wearable');
  const areas = dataOf(useLoad<AreaRow[]>('/api/areas')[0], []);
  const wearables = dataOf(devicesLoaded, []);
  // undefined: no form; null: a new caregiver
  // a new form for each row picked; a save keeps it (and its "saved" line)
  const [formKey, setFormKey] = useState(0);
  const [editing, setEditing] = useState<CaregiverRow | null | undefined>(undefined);
  const list = dataOf(caregivers, []);

  return (
    <div class="admin-page admin-split" data-testid="caregivers-page">
      <div class="admin-main">
        <div class="admin-toolbar">
          <h2 class="panel-title">{t('admin.caregivers.title')}</h2>
          <button type="button" class="btn btn-secondary" data-testid="caregiver-new" onClick={() => (setEditing(null), setFormKey((k) => k + 1))}>
            {t('admin.caregivers.new')}
          </button>
        </div>
        <LoadState loaded={caregivers} empty={list.length === 0} />
        {list.length > 0 && (
          <AdminTable testid="caregiver-table" columns={['admin.name', 'admin.phone', 'admin.role', 'admin.caregivers.wearable', 'admin.caregivers.areas']}>
                {list.map((c) => (
                  <tr key={c.id} data-testid="caregiver-row" data-name={c.name} class={editing?.id === c.id ? 'selected' : undefined}>
                    <td class="left">{c.name}</td>
                    <td class="left">{c.phone ?? ''}</td>
                    <td class="left">{tr.label('role', c.role)}</td>
                    <td class="left mono">{c.wearableId ?? '–'}</td>
                    <td class="left">{c.areaIds.map((id) => areaPath(areas, id) || id).join('; ')}</td>
                    <td class="admin-row-actions">
                      <a class="btn btn-quiet" href={setupHref('duty', c.id)} data-testid="caregiver-rota">
                        {t('admin.caregivers.rota')}
                      </a>
                      <button type="button" class="btn btn-quiet" data-testid="caregiver-edit" onClick={() => (setEditing(c), setFormKey((k) => k + 1))}>
                        {t('setup.edit')}
                      </button>
                    </td>
                  </tr>
                ))}
          </AdminTable>
        )}
      </div>
      {editing !== undefined && (
        <CaregiverForm
          key={formKey}
          caregiver={editing}
          caregivers={list}
          wearables={wearables}
          areas={areas}
          onClose={() => setEditing(undefined)}
          onSaved={(c) => {
            setEditing(c);
            reload();
            reloadDevices();
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
