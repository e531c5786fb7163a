import type { FastifyPluginAsync } from 'fastify';
import { UnauthorizedError } from '../../../common/errors.ts';
import type { AppDeps } from '../app-deps.ts';
import type { Auth } from '../auth.ts';
import { ConsoleFeed } from '../live/console-feed.ts';
import { ConsoleHub } from '../live/console-hub.ts';

type LiveStreamOptions = Pick<AppDeps, 'db' | 'logger' | 'metrics' | 'liveLimits'> & { dispatch: NonNullable<AppDeps['dispatch']>; auth: Auth };

/**
 * `GET /ws?token=…`: the console's live stream (contract/console-stream.ts), fed by the
 * dispatcher's committed changes. The token is checked before the upgrade, so a refused
 * console gets a plain 401 with the JSON error body. (Browsers cannot set headers on a
 * WebSocket, hence the query parameter.) Needs @fastify/websocket registered on the app.
 */
export const liveStreamRoutes: FastifyPluginAsync<LiveStreamOptions> = async (app, o) => {
  const { auth } = o;
  const feed = new ConsoleFeed({ db: o.db, logger: o.logger.child({ part: 'console-feed' }), ...o.dispatch });
  const hub = new ConsoleHub({ snapshot: (user, resync) => feed.snapshot(user, resync), logger: o.logger.child({ part: 'console-hub' }), metrics: o.metrics, limits: o.liveLimits });
  await feed.start(hub);
  app.addHook('onClose', async () => {
    await feed.stop();
    hub.close();
  });
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request) => {
        const token = (request.query as Record<string, unknown>)?.token;
        if (typeof token !== 'string' || token === '') throw new UnauthorizedError('authentication required: connect to /ws?token=<token> (POST /api/login)');
        request.user = await auth.userForToken(token);
      },
    },
    (socket, request) => {
      const token = (request.query as Record<string, string>).token!;
      const stillValid = () =>
        auth.userForToken(token).then(
          () => true,
          (err: unknown) => {
            if (err instanceof UnauthorizedError) return false;
            throw err;
          },
        );
      void hub.add(socket, request.user!, stillValid);
    },
  );
};
