import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/http.ts';
import { useT } from '../../i18n/index.ts';
import { batteryPct, LOW_BATTERY_PCT } from '../../lib/battery.ts';
import { AdminTable, dataOf, ErrorNote, LoadState, Field, useAction, useLoad } from './admin-kit.tsx';
import { deviceKinds, type CaregiverRow, type DeviceKind, type DeviceRow, type ResidentRow } from './admin-types.ts';
import { SecretDialog } from './secret-dialog.tsx';
import type { SetupPageProps } from './setup-page-props.ts';

/**
 * `#/setup/devices`: every device with its state; provisioning and rotating show the new
 * secret once. Rotation is for admins (the API refuses operators), so operators do not see it.
 */
export function DevicesView({ session }: SetupPageProps) {
  const tr = useT();
  const { t } = tr;
  const isAdmin = session.role === 'admin';
  const [devices, reload] = useLoad<DeviceRow[]>('/api/devices');
  // online, last seen and battery change by themselves: read again while the page is open
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, []);
  const residents = dataOf(useLoad<ResidentRow[]>('/api/residents')[0], []);
  const caregivers = dataOf(useLoad<CaregiverRow[]>('/api/caregivers')[0], []);
  const [kind, setKind] = useState<DeviceKind>('pendant');
  const [residentId, setResidentId] = useState('');
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const action = useAction();
  const nameOf = new Map(residents.map((r) => [r.id, r.name]));
  const wearer = new Map(caregivers.filter((c) => c.wearableId).map((c) => [c.wearableId!, c.name]));

  const provision = async (e: Event) => {
    e.preventDefault();
    const body = { kind, residentId: kind === 'wearable' || residentId === '' ? null : residentId };
    let made: { id: string; secret: string } | undefined;
    if (await action.run(async () => (made = await api<{ id: string; secret: string }>('/api/devices', { method: 'POST', body })))) {
      setSecret(made ?? null);
      reload();
    }
  };
  const change = (f: () => Promise<unknown>) => void action.run(f).then((ok) => ok && reload());
  const rotate = async (d: DeviceRow) => {
    if (!confirm(t('admin.devices.confirmRotate', { id: d.id }))) return;
    let made: { id: string; secret: string } | undefined;
    if (await action.run(async () => (made = await api<{ id: string; secret: string }>(`/api/devices/${encodeURIComponent(d.id)}/secret`, { method: 'POST' })))) {
      setSecret(made ?? null);
    }
  };
  const remove = (d: DeviceRow) => {
    if (confirm(t('admin.devices.confirmDelete', { id: d.id }))) change(() => api(`/api/devices/${encodeURIComponent(d.id)}`, { method: 'DELETE' }));
  };

  return (
    <div class="admin-page" data-testid="devices-page">
      <form class="admin-toolbar" data-testid="device-provision" onSubmit={provision}>
        <h2 class="panel-title">{t('admin.devices.title')}</h2>
        <Field label={t('admin.devices.kind')}>
          <select data-testid="device-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as DeviceKind)}>
            {deviceKinds.map((k) => (
              <option key={k} value={k}>
                {tr.label('deviceKind', k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.devices.resident')}>
          <select data-testid="device-resident" value={kind === 'wearable' ? '' : residentId} disabled={kind === 'wearable'} onChange={(e) => setResidentId(e.currentTarget.value)}>
            <option value="">{kind === 'wearable' ? t('admin.devices.wornByCaregiver') : t('admin.devices.noResident')}</option>
            {residents.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="btn btn-primary" data-testid="device-create" disabled={action.busy}>
          {t('admin.devices.provision')}
        </button>
      </form>
      <ErrorNote text={action.error} />
      <LoadState loaded={devices} empty={devices.kind === 'ok' && devices.data.length === 0} />
      {devices.kind === 'ok' && devices.data.length > 0 && (
        <AdminTable testid="device-table" columns={['admin.devices.id', 'admin.devices.kind', 'admin.devices.resident', 'admin.devices.state', { key: 'admin.devices.lastSeen', numeric: true }, { key: 'admin.devices.battery', numeric: true }, 'admin.devices.firmware']}>
              {devices.data.map((d) => {
                const pct = batteryPct(d.battery);
                return (
                  <tr key={d.id} data-testid="device-row" data-id={d.id} data-disabled={String(d.disabled)} class={d.disabled ? 'admin-disabled' : undefined}>
                    <td class="left mono">{d.id}</td>
                    <td class="left">{tr.label('deviceKind', d.kind)}</td>
                    <td class="left">{d.residentId ? (nameOf.get(d.residentId) ?? d.residentId) : d.kind === 'wearable' ? (wearer.get(d.id) ?? '–') : '–'}</td>
                    <td class="left">
                      <span class={d.online ? 'dot dot-on' : 'dot dot-off'} /> {d.online ? t('admin.devices.online') : t('admin.devices.offline')}
                      {d.disabled && (
                        <span class="pill admin-off" data-testid="device-disabled">
                          {t('admin.devices.disabled')}
                        </span>
                      )}
                    </td>
                    <td title={d.lastSeenAt ?? ''}>{d.lastSeenAt ? tr.dateTime(d.lastSeenAt) : '–'}</td>
                    <td class={pct !== null && pct < LOW_BATTERY_PCT ? 'warn' : undefined}>{pct === null ? '–' : `${pct}%`}</td>
                    <td class="left">{d.fw ?? '–'}</td>
                    <td class="admin-row-actions">
                      <button
                        type="button"
                        class="btn btn-quiet"
                        data-testid={d.disabled ? 'device-enable' : 'device-disable'}
                        onClick={() => change(() => api(`/api/devices/${encodeURIComponent(d.id)}`, { method: 'PATCH', body: { disabled: !d.disabled } }))}
                      >
                        {d.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                      {isAdmin && (
                        <button type="button" class="btn btn-quiet" data-testid="device-rotate" onClick={() => void rotate(d)}>
                          {t('admin.devices.rotate')}
                        </button>
                      )}
                      <button type="button" class="btn btn-quiet danger-text" data-testid="device-delete" onClick={() => remove(d)}>
                        {t('setup.delete')}
                      </button>
                    </td>
                  </tr>
                );
              })}
        </AdminTable>
      )}
      {secret && <SecretDialog deviceId={secret.id} secret={secret.secret} onClose={() => setSecret(null)} />}
    </div>
  );
}
