import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The HTTP API described as OpenAPI 3 from the routes' own zod schemas, so integrators need not
 * read code: the document at `/docs/json`, a browsable page at `/docs` (served from the
 * package, no CDN). Register before the routes: it collects them as they are added.
 */
export async function useOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Home-care alarm service: console API',
        version,
        description:
          'Operators\' and integrators\' HTTP API. Log in with POST /api/login and send `Authorization: Bearer <token>`. ' +
          'Errors are `{"error","code","details"}` with a 4xx (5xx hides details). The live stream is a WebSocket at `GET /ws?token=…` ' +
          '(messages: contract/console-stream.ts).',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'alarms', description: 'the alarm lifecycle and operator actions' },
        { name: 'reports', description: 'response times against the time limits' },
        { name: 'directory', description: 'areas, residents, devices, caregivers, shifts, users' },
        { name: 'system', description: 'login, health, metrics, webhooks' },
      ],
    },
    transform: (input) => {
      const out = jsonSchemaTransform(input);
      const url = input.url;
      const tag = url.startsWith('/api/alarms')
        ? 'alarms'
        : url.startsWith('/api/reports')
          ? 'reports'
          : /^\/api\/(areas|residents|devices|caregivers|shifts|users)/.test(url)
            ? 'directory'
            : 'system';
      return { ...out, schema: { ...out.schema, tags: [tag] } };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
