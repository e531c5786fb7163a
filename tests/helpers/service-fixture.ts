import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../common/clock.ts';
import { loadConfig, type Config } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { startService, type RunningService } from '../../runtime/service.ts';
import { ADMIN, apiClient, type ApiClient } from './api-client.ts';
import { createPgDatabase, migratedEmbeddedDir, type TestDbKind } from './test-db.ts';

export interface TestService extends RunningService {
  /** Closes the service, then throws its database away (temp dir or PostgreSQL database). */
  close(): Promise<void>;
}

/** A service's configuration for tests: free ports on 127.0.0.1 and the tests' admin, then `env`. */
export function testConfig(env: Record<string, string>): Config {
  return loadConfig({
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    HTTP_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
}

/**
 * The whole service in this process, on free ports. Database: the env's DATA_DIR/DATABASE_URL
 * when it names one (the caller owns it), otherwise a fresh one of `db`'s kind, dropped on close.
 */
export async function startTestService(env: Record<string, string> = {}, db: TestDbKind = 'embedded', clock?: Clock): Promise<TestService> {
  let dbEnv: Record<string, string> = {};
  let drop = async () => undefined as void;
  if (env.DATA_DIR === undefined && env.DATABASE_URL === undefined) {
    if (db === 'embedded') {
      const dir = await migratedEmbeddedDir('homecare-svc-');
      dbEnv = { DATA_DIR: dir.path };
      drop = async () => dir.remove();
    } else {
      const pg = await createPgDatabase();
      dbEnv = { DATABASE_URL: pg.url };
      drop = pg.drop;
    }
  }
  const config = testConfig({ ...dbEnv, ...env });
  const service = await startService(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), clock).catch(async (err) => {
    await drop();
    throw err;
  });
  const close = service.close;
  return Object.assign(service, {
    close: async () => {
      await close();
      await drop();
    },
  });
}

/**
 * One service for a describe block, with an admin API client logged in over its socket;
 * MQTT clients passed to `track` are closed after.
 */
export function useService(env: Record<string, string> = {}, db: TestDbKind = 'embedded') {
  const f = {} as { service: TestService; api: ApiClient; clients: MqttClient[] };
  beforeAll(async () => {
    f.clients = [];
    f.service = await startTestService(env, db);
    f.api = apiClient(f.service.httpUrl);
    await f.api.login();
  });
  afterAll(async () => {
    for (const c of f.clients ?? []) c.end(true);
    await f.service?.close();
  });
  const track = <T extends MqttClient>(c: T) => (f.clients.push(c), c);
  return { f, track };
}
