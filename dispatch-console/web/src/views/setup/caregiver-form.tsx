import { useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { setupHref } from '../../lib/hash-route.ts';
import { ErrorNote, Field, orNull, useAction } from './admin-kit.tsx';
import type { AreaRow, CaregiverRow, DeviceRow } from './admin-types.ts';
import { treeOrder } from './area-tree.ts';
// `import type` only: a value import from contract/ would pull zod into the bundle
import type { serviceKinds } from '../../../../../contract/device-messages.ts';

/** The service kinds a caregiver may do (DESIGN "Service orders"), in the contract's order. */
const SERVICE_KINDS: typeof serviceKinds = ['meal', 'bathing', 'haircut', 'housekeeping', 'massage', 'doctor', 'other'];
type Skill = (typeof serviceKinds)[number];

interface Props {
  /** null: a new caregiver. */
  caregiver: CaregiverRow | null;
  caregivers: CaregiverRow[];
  wearables: DeviceRow[];
  areas: AreaRow[];
  onClose: () => void;
  onSaved: (c: CaregiverRow) => void;
  onDeleted: () => void;
}

/** Create or change a caregiver: phone (the SMS fallback), wearable, the areas they answer for, role, skills. */
export function CaregiverForm({ caregiver, caregivers, wearables, areas, onClose, onSaved, onDeleted }: Props) {
  const tr = useT();
  const { t } = tr;
  const [name, setName] = useState(caregiver?.name ?? '');
  const [phone, setPhone] = useState(caregiver?.phone ?? '');
  const [wearableId, setWearableId] = useState(caregiver?.wearableId ?? '');
  const [role, setRole] = useState<CaregiverRow['role']>(caregiver?.role ?? 'caregiver');
  const [areaIds, setAreaIds] = useState<Set<string>>(new Set(caregiver?.areaIds ?? []));
  const [skills, setSkills] = useState<Set<Skill>>(new Set(caregiver?.skills ?? []));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  // a wearable is worn by one caregiver: others' are not offered
  const worn = new Set(caregivers.filter((c) => c.id !== caregiver?.id && c.wearableId).map((c) => c.wearableId!));
  const free = wearables.filter((w) => w.kind === 'wearable' && !worn.has(w.id));

  const toggle = (id: string, on: boolean) => {
    const next = new Set(areaIds);
    if (on) next.add(id);
    else next.delete(id);
    setAreaIds(next);
  };
  const toggleSkill = (k: Skill, on: boolean) => {
    const next = new Set(skills);
    if (on) next.add(k);
    else next.delete(k);
    setSkills(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const body = { name: name.trim(), phone: orNull(phone), wearableId: wearableId || null, role, areaIds: [...areaIds], skills: SERVICE_KINDS.filter((k) => skills.has(k)) };
    let result: CaregiverRow | undefined;
    const ok = await action.run(async () => {
      result = caregiver
        ? await api<CaregiverRow>(`/api/caregivers/${caregiver.id}`, { method: 'PATCH', body })
        : await api<CaregiverRow>('/api/caregivers', { method: 'POST', body });
    });
    if (ok && result) {
      setSaved(true);
      onSaved(result);
    }
  };
  const remove = async () => {
    if (!caregiver || !confirm(t('admin.caregivers.confirmDelete', { name: caregiver.name }))) return;
    if (await action.run(() => api(`/api/caregivers/${caregiver.id}`, { method: 'DELETE' }))) onDeleted();
  };

  return (
    <form class="admin-side panel" data-testid="caregiver-form" onSubmit={save}>
      <h3>{caregiver ? caregiver.name : t('admin.caregivers.new')}</h3>
      <Field label={t('admin.name')}>
        <input data-testid="caregiver-name" value={name} required maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.caregivers.phone')}>
        <input data-testid="caregiver-phone" type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.caregivers.wearable')}>
        <select data-testid="caregiver-wearable" value={wearableId} onChange={(e) => setWearableId(e.currentTarget.value)}>
          <option value="">{t('admin.caregivers.noWearable')}</option>
          {free.map((w) => (
            <option key={w.id} value={w.id}>
              {w.id}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('admin.role')}>
        <select data-testid="caregiver-role" value={role} onChange={(e) => setRole(e.currentTarget.value as CaregiverRow['role'])}>
          <option value="caregiver">{tr.label('role', 'caregiver')}</option>
          <option value="supervisor">{tr.label('role', 'supervisor')}</option>
        </select>
      </Field>
      <fieldset class="admin-areas" data-testid="caregiver-areas">
        <legend>{t('admin.caregivers.areas')}</legend>
        {treeOrder(areas).map(({ area, depth }) => (
          <label key={area.id} style={{ paddingLeft: `${depth * 1.2}rem` }} class={area.kind === 'grid' ? 'grid-choice' : undefined}>
            <input type="checkbox" data-testid="caregiver-area" data-name={area.name} checked={areaIds.has(area.id)} onChange={(e) => toggle(area.id, e.currentTarget.checked)} />{' '}
            {area.name} <span class="muted small">{tr.label('admin.kind', area.kind)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="admin-areas admin-skills" data-testid="caregiver-skills" style={{ maxHeight: 'none' }}>
        <legend>{t('admin.caregivers.skills')}</legend>
        <p class="muted small">{t('admin.caregivers.skillsHint')}</p>
        {SERVICE_KINDS.map((k) => (
          <label key={k}>
            <input type="checkbox" data-testid="caregiver-skill" data-skill={k} checked={skills.has(k)} onChange={(e) => toggleSkill(k, e.currentTarget.checked)} />{' '}
            {tr.label('service', k)}
          </label>
        ))}
      </fieldset>
      <ErrorNote text={action.error} />
      {saved && !action.error && (
        <p class="notice small" data-testid="caregiver-saved">
          {t('setup.saved')}
        </p>
      )}
      <div class="admin-actions">
        <button type="submit" class="btn btn-primary" data-testid="caregiver-save" disabled={action.busy}>
          {t('setup.save')}
        </button>
        <button type="button" class="btn btn-quiet" onClick={onClose}>
          {t('setup.cancel')}
        </button>
        {caregiver && (
          <a class="btn btn-secondary" href={setupHref('duty', caregiver.id)}>
            {t('admin.caregivers.rota')}
          </a>
        )}
        {caregiver && (
          <button type="button" class="btn btn-danger" disabled={action.busy} onClick={() => void remove()}>
            {t('setup.delete')}
          </button>
        )}
      </div>
    </form>
  );
}
