import { describe, expect, it } from 'vitest';
import { alertOf, connectDevice, connectWearable, press, provisionCentre } from './helpers/care-centre.ts';
import { waitFor } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

const CODE = 'key safe left of the door, code 8352';

/**
 * Issue 12: a resident's access information (key safe, door) is a field of its own — kept,
 * changed and cleared over the API, carried to the caregiver's wrist with the alarm, and gone
 * from the row and the alarm's snapshot when the resident is erased.
 */
describe.each(['embedded', 'postgres'] as const)('resident access information on %s', (kind) => {
  const { f, track } = useService({}, kind);

  it('round-trips over the API, reaches the wrist with the alarm and is erased with the resident', async () => {
    const { api, service } = f;
    const centre = await provisionCentre(api, { caregivers: 1 });
    const rid = centre.resident.id as string;
    expect(centre.resident.accessInfo).toBeNull();

    // set, read back, listed
    const set = await api.patch(`/api/residents/${rid}`, { accessInfo: CODE });
    expect(set.status).toBe(200);
    expect(set.body.accessInfo).toBe(CODE);
    expect((await api.get(`/api/residents/${rid}`)).body.accessInfo).toBe(CODE);
    const listed = (await api.get('/api/residents')).body as { id: string; accessInfo: string | null }[];
    expect(listed.find((r) => r.id === rid)?.accessInfo).toBe(CODE);
    // a change of another field leaves it alone; too long is refused
    expect((await api.patch(`/api/residents/${rid}`, { phone: '+8613800000001' })).body.accessInfo).toBe(CODE);
    expect((await api.patch(`/api/residents/${rid}`, { accessInfo: 'x'.repeat(501) })).status).toBe(400);
    // created with it
    const other = await api.create('/api/residents', { name: 'Qian Min', areaId: centre.grid.id, accessInfo: 'door code 1234' });
    expect(other.accessInfo).toBe('door code 1234');
    // null clears it
    expect((await api.patch(`/api/residents/${other.id}`, { accessInfo: null })).body.accessInfo).toBeNull();

    // the wrist gets it with the alarm (routing re-reads the directory on each change)
    const cg = centre.caregivers[0]!;
    const wrist = track(await connectWearable(service.mqttUrl, cg.wearable));
    const pendant = track(await connectDevice(service.mqttUrl, centre.pendant));
    const alert = alertOf(wrist, cg.wearable.id, 10_000);
    await press(pendant, centre.pendant.id);
    const a = await alert;
    expect(a.resident.id).toBe(rid);
    expect(a.resident.accessInfo).toBe(CODE);
    const alarmId = a.alarmId as string;

    // erasure: resolve the alarm first (no erasure while one is in progress)
    expect((await api.post(`/api/alarms/${alarmId}/cancel`, { outcome: 'false_alarm' })).status).toBeLessThan(300);
    await waitFor(async () => (await api.get(`/api/alarms/${alarmId}`)).body.status === 'cancelled');
    const erased = await api.post(`/api/residents/${rid}/erase`, { confirm: rid });
    expect(erased.status).toBe(200);
    const row = await service.db.query<{ access_info: string | null }>('SELECT access_info FROM residents WHERE id = $1', [rid]);
    expect(row.rows[0]?.access_info).toBeNull();
    const snap = await service.db.query<{ resident: string }>('SELECT resident::text AS resident FROM alarms WHERE id = $1', [alarmId]);
    expect(snap.rows[0]?.resident).not.toContain('8352');
    expect((await api.get(`/api/residents/${rid}`)).body.accessInfo).toBeNull();
  });
});
