import { useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { AdminTable, dataOf, ErrorNote, LoadState, useAction, useLoad } from './admin-kit.tsx';
import type { AreaRow, CaregiverRow, UserRow } from './admin-types.ts';
import { areaPath } from './area-tree.ts';
import type { SetupPageProps } from './setup-page-props.ts';
import { UserForm } from './user-form.tsx';

/** `#/setup/users` (admins; the frame hides the tab from others): staff logins. */
export function UsersView({ session }: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const [users, reload] = useLoad<UserRow[]>('/api/users');
  const areas = dataOf(useLoad<AreaRow[]>('/api/areas')[0], []);
  const caregivers = dataOf(useLoad<CaregiverRow[]>('/api/caregivers')[0], []);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const action = useAction();
  const careName = new Map(caregivers.map((c) => [c.id, c.name]));

  const change = async (f: () => Promise<unknown>, done: string) => {
    setNote(null);
    if (await action.run(f)) {
      setNote(done);
      reload();
      return true;
    }
    return false;
  };
  const reset = async (u: UserRow) => {
    if (await change(() => api(`/api/users/${u.id}`, { method: 'PATCH', body: { password } }), t('admin.users.passwordSet', { name: u.username }))) {
      setResetting(null);
      setPassword('');
    }
  };

  return (
    <div class="admin-page" data-testid="users-page">
      <div class="admin-toolbar">
        <h2 class="panel-title">{t('admin.users.title')}</h2>
        <button type="button" class="btn btn-secondary" data-testid="user-new" onClick={() => setCreating(true)}>
          {t('admin.users.new')}
        </button>
      </div>
      {creating && (
        <UserForm
          areas={areas}
          caregivers={caregivers}
          onClose={() => setCreating(false)}
          onSaved={(u) => {
            setCreating(false);
            setNote(t('admin.users.created', { name: u.username }));
            reload();
          }}
        />
      )}
      <ErrorNote text={action.error} />
      {note && !action.error && (
        <p class="notice small" data-testid="user-note">
          {note}
        </p>
      )}
      <LoadState loaded={users} empty={false} />
      {users.kind === 'ok' && (
        <AdminTable testid="user-table" columns={['admin.users.username', 'admin.role', 'admin.users.area', 'admin.users.state']}>
              {users.data.map((u) => (
                <tr key={u.id} data-testid="user-row" data-name={u.username} data-disabled={String(u.disabled)} class={u.disabled ? 'admin-disabled' : undefined}>
                  <td class="left">
                    {u.username}
                    {u.caregiverId && <span class="muted small"> · {careName.get(u.caregiverId) ?? u.caregiverId}</span>}
                  </td>
                  <td class="left">{tr.label('role', u.role)}</td>
                  <td class="left">{u.areaId ? areaPath(areas, u.areaId) || u.areaId : t('admin.users.wholeCentre')}</td>
                  <td class="left">{u.disabled ? <span class="pill admin-off">{t('admin.users.disabled')}</span> : t('admin.users.active')}</td>
                  <td class="admin-row-actions">
                    {resetting === u.id ? (
                      <form class="admin-inline" onSubmit={(e) => (e.preventDefault(), void reset(u))}>
                        <input
                          type="password"
                          data-testid="user-new-password"
                          autoComplete="new-password"
                          placeholder={t('admin.users.newPassword')}
                          aria-label={t('admin.users.newPassword')}
                          value={password}
                          onInput={(e) => setPassword(e.currentTarget.value)}
                        />
                        <button type="submit" class="btn btn-primary" data-testid="user-password-save" disabled={action.busy || password === ''}>
                          {t('setup.save')}
                        </button>
                        <button type="button" class="btn btn-quiet" onClick={() => setResetting(null)}>
                          {t('setup.cancel')}
                        </button>
                      </form>
                    ) : (
                      <button type="button" class="btn btn-quiet" data-testid="user-reset" onClick={() => (setResetting(u.id), setPassword(''))}>
                        {t('admin.users.reset')}
                      </button>
                    )}
                    {/* an admin cannot lock themselves out from here */}
                    {u.username !== session.username && (
                      <button
                        type="button"
                        class="btn btn-quiet"
                        data-testid={u.disabled ? 'user-enable' : 'user-disable'}
                        onClick={() =>
                          void change(
                            () => api(`/api/users/${u.id}`, { method: 'PATCH', body: { disabled: !u.disabled } }),
                            t(u.disabled ? 'admin.users.enabled' : 'admin.users.disabledNote', { name: u.username }),
                          )
                        }
                      >
                        {u.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
        </AdminTable>
      )}
    </div>
  );
}
