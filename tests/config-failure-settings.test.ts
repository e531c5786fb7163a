import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../common/config.ts';


/** The refusal of `variable=value` at start-up: a ConfigError naming the variable. */
function refusal(variable: string, value: string): Error {
  let err: unknown;
  try {
    loadConfig({ [variable]: value });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).variable).toBe(variable);
  expect((err as Error).message).toContain(variable);
  return err as Error;
}

/** The settings that decide how the service rides out failures: defaults, values, clear refusals. */
describe('failure settings', () => {
  it('defaults', () => {
    const c = loadConfig({});
    expect(c.dispatch).toMatchObject({ dbDeadlineMs: 1_000, startupGraceMs: 5_000, wristLostAfterS: 3 });
    expect(c.mqtt.limits).toEqual({ drainTimeoutMs: 5_000, maxUnsentBytes: 1024 * 1024, readDeadlineMs: 10_000 });
    expect(c.mqtt.maxConnectionsPerDevice).toBe(4);
  });

  it('values from the environment', () => {
    const c = loadConfig({
      DB_DEADLINE_MS: '400',
      STARTUP_GRACE_MS: '2500',
      WRIST_LOST_AFTER_S: '1.5',
      MQTT_DRAIN_TIMEOUT_MS: '3000',
      MQTT_MAX_UNSENT_KB: '256',
      MQTT_READ_DEADLINE_MS: '2000',
      MQTT_MAX_CONNECTIONS_PER_DEVICE: '2',
    });
    expect(c.dispatch).toMatchObject({ dbDeadlineMs: 400, startupGraceMs: 2_500, wristLostAfterS: 1.5 });
    expect(c.mqtt.limits).toEqual({ drainTimeoutMs: 3_000, maxUnsentBytes: 256 * 1024, readDeadlineMs: 2_000 });
    expect(c.mqtt.maxConnectionsPerDevice).toBe(2);
  });

  const bad: Array<[string, string]> = [
    ['DB_DEADLINE_MS', '0'],
    ['DB_DEADLINE_MS', 'soon'],
    ['STARTUP_GRACE_MS', '-1'],
    ['WRIST_LOST_AFTER_S', '601'],
    ['MQTT_DRAIN_TIMEOUT_MS', 'never'],
    ['MQTT_MAX_UNSENT_KB', '0'],
    ['MQTT_MAX_CONNECTIONS_PER_DEVICE', '1.5'],
  ];
  it.each(bad)('%s=%s is refused, naming the variable', (variable, value) => {
    refusal(variable, value);
  });
});

/** The guessing limits (MQTT CONNECTs and staff logins) and the sensor-event retention. */
describe('guessing limits and retention settings', () => {
  it('defaults are the limits the service had as constants', async () => {
    const { CONNECT_LIMIT_DEFAULTS } = await import('../gateway/connect-limiter.ts');
    const c = loadConfig({});
    expect(c.mqtt.authLimits).toEqual({ failureBurst: 50, failureRefillPerSecond: 1, scryptConcurrency: 2, scryptQueue: 128 });
    expect(c.mqtt.authLimits).toMatchObject({
      failureBurst: CONNECT_LIMIT_DEFAULTS.failureBurst,
      failureRefillPerSecond: CONNECT_LIMIT_DEFAULTS.failureRefillPerSecond,
      scryptConcurrency: CONNECT_LIMIT_DEFAULTS.scryptConcurrency,
      scryptQueue: CONNECT_LIMIT_DEFAULTS.scryptQueue,
    });
    expect(c.loginLimits).toEqual({ lockAfter: 5, baseLockMs: 30_000, maxLockMs: 900_000, addressBurst: 20, addressPerSecond: 1 });
    expect(c.retention).toEqual({ eventDays: 400 });
    // the plain listeners' limits stay apart (they are spread into listenDevices)
    expect(Object.keys(c.mqtt.limits)).toEqual(['drainTimeoutMs', 'maxUnsentBytes', 'readDeadlineMs']);
  });

  it('values from the environment', () => {
    const c = loadConfig({
      MQTT_AUTH_FAIL_BURST: '10',
      MQTT_AUTH_FAIL_PER_S: '0.5',
      MQTT_AUTH_CONCURRENCY: '4',
      MQTT_AUTH_QUEUE: '0',
      LOGIN_LOCK_AFTER: '3',
      LOGIN_LOCK_BASE_S: '1.5',
      LOGIN_LOCK_MAX_S: '60',
      LOGIN_ADDR_BURST: '7',
      LOGIN_ADDR_PER_S: '0.2',
      EVENT_RETENTION_DAYS: '30',
    });
    expect(c.mqtt.authLimits).toEqual({ failureBurst: 10, failureRefillPerSecond: 0.5, scryptConcurrency: 4, scryptQueue: 0 });
    expect(c.loginLimits).toEqual({ lockAfter: 3, baseLockMs: 1_500, maxLockMs: 60_000, addressBurst: 7, addressPerSecond: 0.2 });
    expect(c.retention).toEqual({ eventDays: 30 });
  });

  const bad: Array<[string, string]> = [
    ['MQTT_AUTH_FAIL_BURST', '-5'],
    ['MQTT_AUTH_FAIL_BURST', '2.5'],
    ['MQTT_AUTH_FAIL_PER_S', 'fast'],
    ['MQTT_AUTH_FAIL_PER_S', '0'],
    ['MQTT_AUTH_CONCURRENCY', '0'],
    ['MQTT_AUTH_QUEUE', '-1'],
    ['MQTT_AUTH_QUEUE', 'lots'],
    ['LOGIN_LOCK_AFTER', '-1'],
    ['LOGIN_LOCK_BASE_S', 'thirty'],
    ['LOGIN_LOCK_MAX_S', '-900'],
    ['LOGIN_LOCK_MAX_S', '10'], // shorter than LOGIN_LOCK_BASE_S (30)
    ['LOGIN_ADDR_BURST', 'x'],
    ['LOGIN_ADDR_PER_S', '-1'],
    ['EVENT_RETENTION_DAYS', '0'],
    ['EVENT_RETENTION_DAYS', 'forever'],
  ];
  it.each(bad)('%s=%s is refused, naming the variable', (variable, value) => {
    expect(refusal(variable, value).message).toContain(JSON.stringify(value));
  });
});
