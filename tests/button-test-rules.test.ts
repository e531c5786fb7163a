/**
 * The weekly button test (JGJ/T 484) as a pure rule: who is untested (exactly 7 days counts),
 * a press counts as much as a test, a test event opens no emergency, reminders once a day from
 * 10:00 local. Clocks built by hand at UTC+8.
 */
import { describe, expect, it } from 'vitest';
import type { LocalClock } from '../dispatch-console/core/absence-rules.ts';
import { classifyEvent } from '../dispatch-console/core/alarm-rules.ts';
import { buttonTestReminders, isTestEvent, isUntested, lastButtonTest, type ButtonFacts } from '../dispatch-console/core/button-test-rules.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const local = (wall: string) => new Date(Date.parse(`${wall.replace(' ', 'T')}:00Z`) - 8 * HOUR);
const clockAt = (wall: string): LocalClock => ({
  now: local(wall),
  hour: Number(wall.slice(11, 13)),
  minute: Number(wall.slice(14, 16)),
  dayStart: local(`${wall.slice(0, 10)} 00:00`),
  day: wall.slice(0, 10),
  hourOf: (d) => new Date(d.getTime() + 8 * HOUR).getUTCHours(),
});

const NOW = local('2026-03-10 10:00');
const facts = (f: Partial<ButtonFacts> = {}): ButtonFacts => ({
  residentId: 'res-1',
  deviceIds: ['pendant-1'],
  installedAt: new Date(NOW.getTime() - 60 * DAY),
  lastPressAt: null,
  lastTestAt: null,
  ...f,
});
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('untested: no press or test for 7 days', () => {
  it.each([
    ['never pressed, installed 60 days ago', {}, true],
    ['pressed 6 days 23 h ago', { lastPressAt: ago(7 * DAY - HOUR) }, false],
    ['pressed exactly 7 days ago', { lastPressAt: ago(7 * DAY) }, true],
    ['pressed 7 days and 1 ms ago', { lastPressAt: ago(7 * DAY + 1) }, true],
    ['pressed 7 days less 1 ms ago', { lastPressAt: ago(7 * DAY - 1) }, false],
    ['tested (not pressed) 3 days ago', { lastTestAt: ago(3 * DAY) }, false],
    ['tested exactly 7 days ago', { lastTestAt: ago(7 * DAY) }, true],
    ['pressed 10 days ago, tested yesterday', { lastPressAt: ago(10 * DAY), lastTestAt: ago(DAY) }, false],
    ['tested 10 days ago, pressed yesterday (a real press proves the button too)', { lastTestAt: ago(10 * DAY), lastPressAt: ago(DAY) }, false],
    ['installed 2 days ago, never pressed: not yet due', { installedAt: ago(2 * DAY) }, false],
    ['installed exactly 7 days ago, never pressed', { installedAt: ago(7 * DAY) }, true],
    ['no button at all', { deviceIds: [] }, false],
  ] as Array<[string, Partial<ButtonFacts>, boolean]>)('%s → %s', (_, f, expected) => {
    expect(isUntested(facts(f), NOW)).toBe(expected);
  });

  it('lastButtonTest: the later of press and test, or null', () => {
    expect(lastButtonTest({ lastPressAt: null, lastTestAt: null })).toBeNull();
    expect(lastButtonTest({ lastPressAt: ago(DAY), lastTestAt: ago(2 * DAY) })).toEqual(ago(DAY));
    expect(lastButtonTest({ lastPressAt: null, lastTestAt: ago(2 * DAY) })).toEqual(ago(2 * DAY));
  });
});

describe('a test event opens no emergency', () => {
  const ctx = { localHour: 12, nightHours: { start: 22, end: 7 }, temperature: { minC: 12, maxC: 35 } };
  it.each([
    ['button.pressed with test: true', 'button.pressed', { test: true }, true],
    ['button.pressed without data', 'button.pressed', {}, false],
    ['button.pressed with test: "true" (a string is not the flag)', 'button.pressed', { test: 'true' }, false],
    ['button.pressed with test: false', 'button.pressed', { test: false }, false],
    ['smoke detector self-test', 'smoke.detected', { test: true }, true],
    ['a heartbeat with test: true (opens nothing anyway)', 'heartbeat', { test: true }, false],
    ['a cancel with test: true (still a cancel)', 'cancel', { test: true }, false],
  ] as const)('%s → test: %s', (_, type, data, expected) => {
    expect(isTestEvent(type, data)).toBe(expected);
  });

  it('without the flag the same press is an emergency', () => {
    expect(classifyEvent('button.pressed', {}, ctx)).toMatchObject({ kind: 'opens', priority: 'emergency' });
  });
});

describe('reminders: from 10:00 local, once a day per button; not while away (hospital, family)', () => {
  const untested = facts({ deviceIds: ['cord-1', 'pendant-1'] });
  const tested = facts({ residentId: 'res-2', deviceIds: ['pendant-2'], lastTestAt: ago(DAY) });
  it.each([
    ['09:59: not yet', '2026-03-10 09:59', []],
    ['10:00: each untested button', '2026-03-10 10:00', ['buttontest:cord-1:2026-03-10', 'buttontest:pendant-1:2026-03-10']],
    ['18:00: the same keys (sent once: the key is claimed)', '2026-03-10 18:00', ['buttontest:cord-1:2026-03-10', 'buttontest:pendant-1:2026-03-10']],
    ['next day: new keys', '2026-03-11 10:30', ['buttontest:cord-1:2026-03-11', 'buttontest:pendant-1:2026-03-11']],
  ])('%s', (_, wall, keys) => {
    const away = facts({ residentId: 'res-3', deviceIds: ['pendant-3'], away: true });
    const out = buttonTestReminders([untested, tested, away], clockAt(wall));
    expect(out.map((r) => r.key)).toEqual(keys);
    for (const r of out) expect(r.residentId).toBe('res-1');
  });
});
