import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../common/config.ts';

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
    let err: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as Error).message).toContain(variable);
  });
});
