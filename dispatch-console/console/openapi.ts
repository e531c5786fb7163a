import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

// What each error status means across the API (the body is always #/components/schemas/Error).
const ERROR_MEANING: Record<string, string> = {
  400: 'Invalid request: a path parameter, query parameter or body field failed validation (`details` lists the issues), or the JSON is malformed',
  401: 'Not authenticated: no bearer token, or an expired or unknown one (`WWW-Authenticate: Bearer`); at login, wrong credentials',
  403: "Not allowed: the login's role may not do this (webhooks: the Twilio signature is invalid)",
  404: 'Not found, or not visible to this login',
  409: 'Refused by the current state (see `error`, and `details` where given)',
  503: 'The database is unavailable; retry after `Retry-After` seconds',
};

type JsonSchema = Record<string, unknown>;

/** Without zod's `$schema` and `$id`, meaningless inside an OpenAPI document. */
function plain(schema: JsonSchema): JsonSchema {
  const { $schema, $id, ...rest } = schema;
  return rest;
}

/**
 * Responses as the document shows them: one of the shared error body gets its status's
 * meaning as description (Fastify's swagger reads it beside the `$ref`), and a string with a
 * `contentMediaType` (TwiML) is that media type, not JSON. The routes' serializers are not
 * affected: they are built from the zod schemas, not from this.
 */
function documentedResponses(response: unknown): unknown {
  if (typeof response !== 'object' || response === null) return response;
  const entries = Object.entries(response as Record<string, JsonSchema>).map(([status, schema]) => {
    const meaning = ERROR_MEANING[status];
    if (meaning !== undefined && typeof schema.$ref === 'string') return [status, { ...schema, description: meaning }];
    const { contentMediaType, description, ...rest } = schema;
    if (typeof contentMediaType === 'string') {
      return [status, { description: description ?? 'Default Response', content: { [contentMediaType]: { schema: plain(rest) } } }];
    }
    return [status, schema];
  });
  return Object.fromEntries(entries);
}

/** One tag per operation, by its path. */
function tagOf(url: string): string {
  if (url.startsWith('/api/alarms')) return 'alarms';
  if (url.startsWith('/api/reports')) return 'reports';
  if (/^\/api\/(areas|residents|devices|caregivers|shifts|users)/.test(url)) return 'directory';
  return 'system';
}

/** `PUBLIC_URL` as a server URL: without a trailing slash, since every path starts with one. */
const serverUrl = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

/**
 * The HTTP API described as OpenAPI 3 from the routes' own zod schemas, so integrators need not
 * read code: the document at `/docs/json`, a browsable page at `/docs` (served from the
 * package, no CDN). Register before the routes: it collects them as they are added. Every
 * operation has an `operationId` (the method names of generated clients) and its error
 * answers (routes/shared-schemas.ts `errorResponses`); tests/openapi.test.ts lints it.
 */
export async function useOpenApi(app: FastifyInstance, version: string, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Home-care alarm service: console API',
        version,
        description:
          'Operators\' and integrators\' HTTP API. Log in with POST /api/login and send `Authorization: Bearer <token>`. ' +
          'Errors are `{"error","code","reason","details"}` (#/components/schemas/Error; reason and details where there are any) ' +
          'with a 4xx (5xx hides details). ' +
          'The live stream is a WebSocket at `GET /ws?token=…` (messages: contract/console-stream.ts).',
      },
      servers: [{ url: serverUrl(publicUrl), description: 'this service (PUBLIC_URL)' }],
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
      const schema = out.schema as Record<string, unknown>;
      return { ...out, schema: { ...schema, response: documentedResponses(schema.response), tags: [tagOf(input.url)] } };
    },
    // the shared schemas (those with a zod `.meta({ id })`) as components, each once
    transformObject: (input) => {
      const doc = jsonSchemaTransformObject(input) as { components?: { schemas?: Record<string, unknown> } };
      const schemas = doc.components?.schemas ?? {};
      // zod emits an input twin of each (`ErrorInput`): keep only those referred to from elsewhere
      const referred = (name: string) =>
        JSON.stringify({ ...doc, components: { ...doc.components, schemas: { ...schemas, [name]: null } } }).includes(`"#/components/schemas/${name}"`);
      const used = Object.entries(schemas)
        .filter(([name]) => referred(name))
        .map(([name, schema]) => [name, plain(schema as JsonSchema)]);
      return { ...doc, components: { ...doc.components, schemas: Object.fromEntries(used) } } as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
}
