import { useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { batteryPct } from '../../lib/battery.ts';
import { ErrorNote, Field, orNull, useAction, useLoad } from './admin-kit.tsx';
import type { AreaRow, Contact, DeviceRow, ResidentRow } from './admin-types.ts';
import { areaChoices } from './area-tree.ts';
import { ContactsEditor } from './contacts-editor.tsx';
import { draftOf, SettingsEditor, settingsOf } from './settings-form.tsx';

interface Props {
  /** null: a new resident. */
  resident: ResidentRow | null;
  areas: AreaRow[];
  onClose: () => void;
  onSaved: (r: ResidentRow) => void;
  onDeleted: () => void;
}

/** Create or change a resident: where they live, how to get in, what to know, whom to call. */
export function ResidentForm({ resident, areas, onClose, onSaved, onDeleted }: Props) {
  const tr = useT();
  const { t } = tr;
  const grids = areaChoices(areas, 'grid');
  const [name, setName] = useState(resident?.name ?? '');
  const [areaId, setAreaId] = useState(resident?.areaId ?? '');
  const [address, setAddress] = useState(resident?.address ?? '');
  const [phone, setPhone] = useState(resident?.phone ?? '');
  const [accessInfo, setAccessInfo] = useState(resident?.accessInfo ?? '');
  const [notes, setNotes] = useState(resident?.notes ?? '');
  const [contacts, setContacts] = useState<Contact[]>(resident?.contacts ?? []);
  const [settings, setSettings] = useState(() => draftOf(resident?.settings));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const chosenGrid = areaId || grids[0]?.id || '';

  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const body = {
      name: name.trim(),
      areaId: chosenGrid,
      address: orNull(address),
      phone: orNull(phone),
      accessInfo: orNull(accessInfo),
      notes: orNull(notes),
      contacts: contacts.map((c) => ({ name: c.name.trim(), phone: c.phone.trim(), ...(c.relation?.trim() ? { relation: c.relation.trim() } : {}) })),
      settings: settingsOf(settings),
    };
    let result: ResidentRow | undefined;
    const ok = await action.run(async () => {
      result = resident
        ? await api<ResidentRow>(`/api/residents/${resident.id}`, { method: 'PATCH', body })
        : await api<ResidentRow>('/api/residents', { method: 'POST', body });
    });
    if (ok && result) {
      setSaved(true);
      onSaved(result);
    }
  };
  const remove = async () => {
    if (!resident || !confirm(t('admin.residents.confirmDelete', { name: resident.name }))) return;
    if (await action.run(() => api(`/api/residents/${resident.id}`, { method: 'DELETE' }))) onDeleted();
  };

  return (
    <form class="admin-side panel" data-testid="resident-form" onSubmit={save}>
      <h3>{resident ? resident.name : t('admin.residents.new')}</h3>
      <Field label={t('admin.name')}>
        <input data-testid="resident-name" value={name} required maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.grid')}>
        <select data-testid="resident-grid" value={chosenGrid} required onChange={(e) => setAreaId(e.currentTarget.value)}>
          {grids.length === 0 && <option value="">{t('admin.residents.noGrids')}</option>}
          {grids.map((g) => (
            <option key={g.id} value={g.id}>
              {g.label}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('admin.residents.address')}>
        <input data-testid="resident-address" value={address} maxLength={500} onInput={(e) => setAddress(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.phone')}>
        <input data-testid="resident-phone" type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.residents.accessInfo')}>
        <textarea data-testid="resident-access" rows={2} maxLength={500} placeholder={t('admin.residents.accessHint')} value={accessInfo} onInput={(e) => setAccessInfo(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.residents.notes')}>
        <textarea data-testid="resident-notes" rows={3} maxLength={2000} placeholder={t('admin.residents.notesHint')} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </Field>
      <ContactsEditor contacts={contacts} onChange={setContacts} />
      <SettingsEditor draft={settings} onChange={setSettings} />
      <ErrorNote text={action.error} />
      {saved && !action.error && (
        <p class="notice small" data-testid="resident-saved">
          {t('setup.saved')}
        </p>
      )}
      <div class="admin-actions">
        <button type="submit" class="btn btn-primary" data-testid="resident-save" disabled={action.busy || grids.length === 0}>
          {t('setup.save')}
        </button>
        <button type="button" class="btn btn-quiet" onClick={onClose}>
          {t('setup.cancel')}
        </button>
        {resident && (
          <button type="button" class="btn btn-danger" data-testid="resident-delete" disabled={action.busy} onClick={() => void remove()}>
            {t('setup.delete')}
          </button>
        )}
      </div>
      {resident && <ResidentDevices residentId={resident.id} />}
    </form>
  );
}

/** The resident's devices, as GET /api/devices?residentId= answers. */
function ResidentDevices({ residentId }: { residentId: string }) {
  const tr = useT();
  const { t } = tr;
  const [devices] = useLoad<DeviceRow[]>(`/api/devices?residentId=${encodeURIComponent(residentId)}`);
  return (
    <section class="admin-subsection" data-testid="resident-devices">
      <h4>{t('admin.residents.devices')}</h4>
      {devices.kind === 'error' && <ErrorNote text={devices.text} />}
      {devices.kind === 'ok' && devices.data.length === 0 && <p class="muted small">{t('admin.residents.noDevices')}</p>}
      {devices.kind === 'ok' && devices.data.length > 0 && (
        <ul class="admin-list">
          {devices.data.map((d) => (
            <li key={d.id} data-testid="resident-device">
              <span class={d.online ? 'dot dot-on' : 'dot dot-off'} title={d.online ? t('admin.devices.online') : t('admin.devices.offline')} />{' '}
              {tr.label('deviceKind', d.kind)} <span class="mono small">{d.id}</span>
              {batteryPct(d.battery) !== null && <span class="muted small"> · {batteryPct(d.battery)}%</span>}
              {d.disabled && <span class="pill"> {t('admin.devices.disabled')}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
