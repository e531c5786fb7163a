import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDevicePresence } from '../db/queries/device-presence.ts';
import { dispatcherFixture, rows, type DispatcherFixture } from './helpers/dispatcher-fixture.ts';
import { waitFor } from './helpers/gateway-harness.ts';

/**
 * A wrist that goes away while its alert is unanswered (its phone lost coverage, or the broker
 * dropped it for not reading): the alert is not left waiting out the step. Manual clock.
 */

const S = 60;
const POLICY = { emergency: { steps: [{ kind: 'next_in_grid', acceptWithinS: S }, { kind: 'all_in_grid', acceptWithinS: S }, { kind: 'console', acceptWithinS: S }] } };

describe('a wrist lost mid-step (manual clock, embedded database)', () => {
  let f: DispatcherFixture;
  beforeAll(async () => {
    f = await dispatcherFixture({ policy: POLICY, twilio: true, env: { CANCEL_WINDOW_S: '0', WRIST_LOST_AFTER_S: '3' } });
  });
  afterAll(async () => f?.close());

  const offline = async (wearableId: string) => {
    await updateDevicePresence(f.main.db, wearableId, { online: false, at: f.clock.now() });
    f.dispatcher.handleStatus({ deviceId: wearableId, online: false, at: f.clock.now() });
  };

  async function open() {
    const centre = await f.centre();
    const [li, wang] = centre.caregivers;
    await f.online(li!.wearable.id); // step 1 asks Li's wrist; Wang's is off
    const t0 = f.clock.now().getTime();
    await f.event(centre.pendant, centre.resident.id, 'button.pressed', {});
    const list = (await f.api.get('/api/alarms?status=open')).body as Array<{ id: string; residentId: string }>;
    const id = list.find((a) => a.residentId === centre.resident.id)!.id;
    const a = await f.alarm(id);
    expect(a.notifications.map((n) => `${n.step}:${n.channel}:${n.recipientName}`)).toEqual(['1:wearable:Li Na']);
    return { li: li!, wang: wang!, id, t0 };
  }

  it('the only wrist asked goes and stays gone: the next step runs WRIST_LOST_AFTER_S later, texting the offline', async () => {
    const { li, wang, id, t0 } = await open();
    await f.clock.advance(10_000);
    await offline(li.wearable.id);
    await f.clock.advance(2_999);
    expect((await f.alarm(id)).step).toBe(1);
    await f.clock.advance(1);
    const d = await f.until(id, (x) => x.step === 2);
    expect(Date.parse(rows(d, 'step.started')[1]!.at)).toBe(t0 + 13_000); // not at the step's deadline (t0 + 60 s)
    const sms = await waitFor(async () => {
      const m = f.twilio!.messages.filter((x) => x.body.includes(d.replyCode));
      return m.length >= 2 && m;
    });
    expect(sms.map((m) => m.to).sort()).toEqual([li.phone, wang.phone].sort());
  });

  it('a wrist that is back within WRIST_LOST_AFTER_S keeps its step (a reconnect is not a loss)', async () => {
    const { li, id } = await open();
    await offline(li.wearable.id);
    await f.clock.advance(1_500);
    await f.online(li.wearable.id);
    await f.clock.advance(5_000);
    const d = await f.alarm(id);
    expect(d.step).toBe(1);
    expect(rows(d, 'step.started')).toHaveLength(1);
  });
});
