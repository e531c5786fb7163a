import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import type { Db } from '../db/types.ts';
import { buildApp } from '../dispatch-console/console/app.ts';
import { createTestDb } from './helpers/test-db.ts';

// Routing data lives in the dispatcher's memory: a write that changes it must say so. This used
// to be guessed from the URL by a regex, so a new write route silently did not refresh routing.
describe('write routes declare whether they change routing', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ db, cleanup } = await createTestDb('postgres')));
  afterAll(() => cleanup?.());

  const build = () =>
    buildApp({ config: loadConfig({}), db, logger: createLogger('silent'), metrics: createMetrics(), health: async () => ({ ok: true, checks: {} }) });

  it('refuses to register an /api write that says neither', async () => {
    const app = await build();
    try {
      expect(() => app.post('/api/things', { onRequest: app.requireRole('operator') }, async () => ({}))).toThrow(/must declare config: \{ routing/);
      // a GET, and a write that declares it, are fine
      expect(() => app.get('/api/things', { onRequest: app.requireRole('operator') }, async () => [])).not.toThrow();
      expect(() => app.post('/api/other-things', { onRequest: app.requireRole('operator'), config: { routing: 'unchanged' } }, async () => ({}))).not.toThrow();
    } finally {
      await app.close();
    }
  });
});
