import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioRunOptions } from '../device-sim/scenarios/runner.ts';
import { ADMIN } from './helpers/api-client.ts';
import { useService } from './helpers/service-fixture.ts';

/**
 * `npm run sim -- --scenario <name>` against a real service, as the CLI runs it: the service's
 * URLs go to the scenario runner, which builds its own home over HTTP, plays the situation
 * over MQTT and watches the alarms. Time is compressed the way the README tells a demo to be
 * (the care rules' settings by environment), and the night is put around the current hour
 * for the night rules and away from it for the day rule.
 */
const pad = (n: number) => String(n).padStart(2, '0');
const hour = new Date().getHours();
const compressed = {
  BED_RETURN_MINUTES: '0.25',
  INACTIVITY_HOURS: '0.005',
  ABSENCE_CHECK_S: '5',
  ALARM_POLICY: JSON.stringify({ emergency: { arriveLimitS: 12 } }),
};

async function play(httpUrl: string, name: string): Promise<{ ok: boolean; message: string; lines: string[] }> {
  const lines: string[] = [];
  const opts: ScenarioRunOptions = { httpUrl, ...ADMIN, name, out: (l) => lines.push(l) };
  const r = await runScenario(opts);
  return { ok: r.ok, message: r.message, lines };
}

const expectPlayed = (r: { ok: boolean; message: string; lines: string[] }) => expect(r.ok, `${r.message}\n${r.lines.join('\n')}`).toBe(true);

describe.each(['embedded', 'postgres'] as const)('scenarios at night (%s)', (kind) => {
  // night from this hour for two: a scenario started near the hour's end is still in it
  const { f } = useService({ ...compressed, NIGHT_HOURS: `${pad(hour)}-${pad((hour + 2) % 24)}` }, kind);

  it('fall, false-press, smoke and night-wander play out side by side, each on its own home', async () => {
    const url = f.service.httpUrl;
    const results = await Promise.all(['fall', 'false-press', 'smoke', 'night-wander'].map((n) => play(url, n)));
    for (const r of results) expectPlayed(r);
    // the printed story names what happened
    expect(results[0]!.lines.join('\n')).toMatch(/alarm raised: emergency fall\.detected/);
    expect(results[1]!.lines.join('\n')).toMatch(/cancelled/);
  });
});
