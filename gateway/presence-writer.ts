import type { Logger } from '../common/logger.ts';
import { updateDevicePresence, type PresenceUpdate } from '../db/queries/device-presence.ts';
import type { Queryable } from '../db/types.ts';

/**
 * Device online/battery bookkeeping. Writes for one device run one after another (a connect
 * and the disconnect right after it must land in that order); failures are logged, not
 * retried — the next report or connect corrects the row.
 */
export class PresenceWriter {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
  ) {}

  /** `after` runs in the same order as the writes, so listeners see changes in that order. */
  write(deviceId: string, update: PresenceUpdate, after?: () => void): Promise<void> {
    const prev = this.chains.get(deviceId) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        await updateDevicePresence(this.db, deviceId, update);
      } catch (err) {
        this.logger.warn({ err, deviceId }, 'device presence not recorded');
      }
      after?.();
    });
    this.chains.set(deviceId, next);
    void next.then(() => {
      if (this.chains.get(deviceId) === next) this.chains.delete(deviceId);
    });
    return next;
  }

  async settle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
