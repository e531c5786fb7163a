import type { Clock } from '../../common/clock.ts';
import type { Config } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { Db } from '../../db/types.ts';
import type { DispatchDirectory } from '../dispatcher/directory.ts';
import type { Dispatcher } from '../dispatcher/dispatcher.ts';
import type { Notifier } from '../dispatcher/notifier.ts';
import type { Auth } from './auth.ts';
import type { HubLimits } from './live/console-hub.ts';

// What the console app is built from and hands its route plugins: types only, so the routes
// depend on this and not on app.ts, which imports them.

export interface HealthStatus {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  health: () => Promise<HealthStatus>;
  /** A device was deleted or its secret rotated: the gateway drops its connections. */
  onDeviceRevoked?: (deviceId: string) => void;
  /** The dispatcher, when this process runs one: alarm routes and Twilio webhooks. */
  dispatch?: { dispatcher: Dispatcher; directory: DispatchDirectory; notifier: Notifier } | undefined;
  /** Where devices connect (known once the broker listens); `GET /api/service` answers it. */
  endpoints?: () => { mqttUrl: string; mqttWsUrl: string | null; embeddedBroker: boolean } | undefined;
  /** The service's clock port (sessions issue and expire by it); the system clock when absent. */
  clock?: Clock | undefined;
  /** The live stream's slow-console limits (tests make them small). */
  liveLimits?: Partial<HubLimits> | undefined;
}

/** What every route plugin receives. */
export interface RouteOptions {
  deps: AppDeps;
  auth: Auth;
}
