import { describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { parseCliArgs } from '../device-sim/cli.ts';
import { SCENARIOS, scenarioNames } from '../device-sim/scenarios/index.ts';
import { runScenario } from '../device-sim/scenarios/runner.ts';
import { absenceSchedule } from '../runtime/maintenance.ts';
import { ADMIN } from './helpers/api-client.ts';
import { useService } from './helpers/service-fixture.ts';

/**
 * `npm run sim -- --scenario <name>` against a real service, as the CLI runs it: the service's
 * URL goes to the scenario runner, which builds a fresh home of its own over HTTP, plays the
 * situation over MQTT (devices and scripted wrists) and follows the alarms until the expected
 * outcome. The service's timers are compressed the way the README tells a demo to be
 * (environment), and its night is put around the current hour for the night rules.
 */
const pad = (n: number) => String(n).padStart(2, '0');
const hour = new Date().getHours();
const compressed = {
  // night from this hour for two more: a run started near the hour's end is still inside it
  NIGHT_HOURS: `${pad(hour)}-${pad((hour + 2) % 24)}`,
  BED_RETURN_MINUTES: '0.25',
  INACTIVITY_HOURS: '0.005',
  // a check-in time over an hour ago is yesterday just after midnight: then 00:00 and a short grace
  CHECKIN_GRACE_MINUTES: '0.5',
  ABSENCE_CHECK_S: '5',
  ALARM_POLICY: JSON.stringify({ emergency: { arriveLimitS: 12 } }),
};

async function play(httpUrl: string, name: string) {
  const lines: string[] = [];
  const r = await runScenario({ httpUrl, ...ADMIN, name, out: (l) => lines.push(l) });
  return { name, ok: r.ok, message: r.message, seconds: r.seconds, story: lines.join('\n') };
}

describe('the scenario command line', () => {
  it('lists the scenarios; an unknown name is refused with the list, before any request', () => {
    expect(parseCliArgs(['--list'], {})).toBe('list');
    expect(() => parseCliArgs(['--scenario', 'flood'], { SIM_PASSWORD: 'x' })).toThrow(/unknown scenario "flood"; the scenarios are: fall, false-press, .*smoke/);
    const opts = parseCliArgs(['--scenario', 'fall'], { SIM_PASSWORD: 'x' });
    expect(opts !== 'help' && opts !== 'list' && opts.scenario).toBe('fall');
    expect(scenarioNames()).toEqual(['fall', 'false-press', 'dead-battery', 'device-offline', 'inactivity', 'missed-checkin', 'night-wander', 'bed-no-return', 'no-show', 'service-meal', 'uncovered-grid', 'smoke']);
    for (const s of SCENARIOS) expect(s.limitS, s.name).toBeLessThanOrEqual(80);
  });
});

describe('ABSENCE_CHECK_S: how often the absence rules look (the scenarios compress it)', () => {
  it('defaults to once a minute at :30; takes divisors of 60 only', () => {
    expect(loadConfig({}).absenceCheckS).toBe(60);
    expect(absenceSchedule(60)).toBe('30 * * * * *');
    expect(loadConfig({ ABSENCE_CHECK_S: '5' }).absenceCheckS).toBe(5);
    expect(absenceSchedule(5)).toBe('*/5 * * * * *');
    for (const bad of ['7', '0', '90', '2.5', 'often']) expect(() => loadConfig({ ABSENCE_CHECK_S: bad }), bad).toThrow(/ABSENCE_CHECK_S/);
  });
});

describe.each(['embedded', 'postgres'] as const)('every scenario against one service (%s)', (kind) => {
  const { f } = useService(compressed, kind);

  it('all twelve play out side by side, each on its own home, each in under a minute', async () => {
    const results = await Promise.all(scenarioNames().map((n) => play(f.service.httpUrl, n)));
    for (const r of results) expect(r.ok, `${r.name}: ${r.message}\n${r.story}`).toBe(true);
    for (const r of results) expect(r.seconds, r.name).toBeLessThan(60);
    const story = (name: string) => results.find((r) => r.name === name)!.story;
    // the printed timeline tells what happened, in words
    expect(story('fall')).toMatch(/alarm raised: emergency fall\.detected[\s\S]*accepted by[\s\S]*resolved by .*: assisted/);
    expect(story('false-press')).toMatch(/cancelled/);
    expect(story('no-show')).toMatch(/not arrived within 12 s of the accept: sent out again/);
    expect(story('service-meal')).toMatch(/button receives service\.received[\s\S]*button receives service\.scheduled/);
    expect(story('device-offline')).toMatch(/alarm raised: technical device\.offline[\s\S]*resolved: restored/);
  });
});
