import { bedNoReturn } from './bed-no-return.ts';
import { deadBattery } from './dead-battery.ts';
import { deviceOffline } from './device-offline.ts';
import { fall } from './fall.ts';
import { falsePress } from './false-press.ts';
import { inactivity } from './inactivity.ts';
import { missedCheckin } from './missed-checkin.ts';
import { nightWander } from './night-wander.ts';
import { noShow } from './no-show.ts';
import { serviceMeal } from './service-meal.ts';
import { smoke } from './smoke.ts';
import type { Scenario } from './types.ts';
import { uncoveredGrid } from './uncovered-grid.ts';

/** Every scenario `npm run sim -- --scenario <name>` plays, in the README's order. */
export const SCENARIOS: readonly Scenario[] = [
  fall,
  falsePress,
  deadBattery,
  deviceOffline,
  inactivity,
  missedCheckin,
  nightWander,
  bedNoReturn,
  noShow,
  serviceMeal,
  uncoveredGrid,
  smoke,
];

export const scenarioNames = (): string[] => SCENARIOS.map((s) => s.name);
export type { Scenario };
