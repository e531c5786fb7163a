import { useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { ErrorNote, Field, useAction } from './admin-kit.tsx';
import type { AreaRow, CaregiverRow, UserRow } from './admin-types.ts';
import { areaChoices } from './area-tree.ts';

type Role = UserRow['role'];

/** A new staff login: the server checks the password's strength and says which rule it breaks. */
export function UserForm(p: { areas: AreaRow[]; caregivers: CaregiverRow[]; onClose: () => void; onSaved: (u: UserRow) => void }) {
  const tr = useT();
  const { t } = tr;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [caregiverId, setCaregiverId] = useState('');
  const [areaId, setAreaId] = useState('');
  const action = useAction();

  const save = async (e: Event) => {
    e.preventDefault();
    const body = { username: username.trim(), password, role, caregiverId: role === 'caregiver' ? caregiverId || null : null, areaId: areaId || null };
    let made: UserRow | undefined;
    if (await action.run(async () => (made = await api<UserRow>('/api/users', { method: 'POST', body })))) if (made) p.onSaved(made);
  };

  return (
    <form class="admin-form panel" data-testid="user-form" onSubmit={save}>
      <Field label={t('admin.users.username')}>
        <input data-testid="user-username" required maxLength={64} autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.users.password')}>
        <input data-testid="user-password" type="password" required autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <Field label={t('admin.role')}>
        <select data-testid="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {(['operator', 'admin', 'caregiver'] as const).map((r) => (
            <option key={r} value={r}>
              {tr.label('role', r)}
            </option>
          ))}
        </select>
      </Field>
      {role === 'caregiver' && (
        <Field label={t('admin.users.caregiver')}>
          <select data-testid="user-caregiver" value={caregiverId} required onChange={(e) => setCaregiverId(e.currentTarget.value)}>
            <option value="">–</option>
            {p.caregivers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label={t('admin.users.area')}>
        <select data-testid="user-area" value={areaId} onChange={(e) => setAreaId(e.currentTarget.value)}>
          <option value="">{t('admin.users.wholeCentre')}</option>
          {areaChoices(p.areas).map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
      </Field>
      <p class="muted small admin-hint">{t('admin.users.rules')}</p>
      <ErrorNote text={action.error} />
      <div class="admin-actions">
        <button type="submit" class="btn btn-primary" data-testid="user-save" disabled={action.busy}>
          {t('admin.users.create')}
        </button>
        <button type="button" class="btn btn-quiet" onClick={p.onClose}>
          {t('setup.cancel')}
        </button>
      </div>
    </form>
  );
}
