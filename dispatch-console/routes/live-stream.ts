import type { FastifyPluginAsync } from 'fastify';
import { UnauthorizedError } from '../../common/errors.ts';
import type { Auth } from '../auth.ts';
import type { ConsoleHub } from '../live/console-hub.ts';

/**
 * `GET /ws?token=…`: the console's live stream (contract/console-stream.ts). The token is
 * checked before the upgrade, so a refused console gets a plain 401 with the JSON error body.
 * (Browsers cannot set headers on a WebSocket, hence the query parameter.)
 */
export const liveStreamRoutes: FastifyPluginAsync<{ auth: Auth; hub: ConsoleHub }> = async (app, { auth, hub }) => {
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
