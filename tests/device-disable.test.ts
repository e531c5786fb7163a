import { describe, expect, it } from 'vitest';
import { provisionHome } from './helpers/care-centre.ts';
import { connect } from './helpers/gateway-harness.ts';
import { useService } from './helpers/service-fixture.ts';

/**
 * A device taken out of service (lost, stolen, returned) is dropped at once and refused at
 * every connect until it is enabled again — even with its right secret. Real service, real MQTT.
 */
describe('disabling a device', () => {
  const { f, track } = useService();

  it('drops its connection at once, refuses it with CONNACK 5 while disabled, and lets it back when enabled', async () => {
    const { resident } = await provisionHome(f.api);
    const pendant = await f.api.create('/api/devices', { kind: 'pendant', residentId: resident.id });
    const login = { username: pendant.id, password: pendant.secret, clientId: pendant.id };
    const client = track(await connect(f.service.mqttUrl, login));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

    const off = await f.api.patch(`/api/devices/${pendant.id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabled).toBe(true);
    await closed; // dropped by the broker, not by the test
    await expect(connect(f.service.mqttUrl, login)).rejects.toMatchObject({ code: 5 });
    expect((await f.api.get(`/api/devices/${pendant.id}`)).body.disabled).toBe(true);

    expect((await f.api.patch(`/api/devices/${pendant.id}`, { disabled: false })).body.disabled).toBe(false);
    const back = track(await connect(f.service.mqttUrl, login));
    expect(back.connected).toBe(true);
    // a wrong value is a clear 400 and changes nothing
    const bad = await f.api.patch(`/api/devices/${pendant.id}`, { disabled: 'yes' });
    expect(bad.status).toBe(400);
    expect((await f.api.get(`/api/devices/${pendant.id}`)).body.disabled).toBe(false);
  });
});
