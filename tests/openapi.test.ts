import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { useService } from './helpers/service-fixture.ts';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// probes for load balancers and Prometheus: no input, no auth, so no 4xx they could answer
const NO_4XX = new Set(['GET /healthz', 'GET /metrics']);
// the recommended ruleset's warnings accepted on purpose: the package is private, with no licence to name
const ACCEPTED_WARNINGS = new Set(['info-license']);

type Doc = { paths: Record<string, Record<string, any>>; servers?: Array<{ url: string }>; components: any };

function operationsOf(doc: Doc) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );
}

describe('OpenAPI description at /docs', () => {
  // (PostgreSQL: the document does not depend on the database, and it starts in a fraction of the embedded one's time)
  const { f } = useService({ PUBLIC_URL: 'https://alarms.care-centre.test/' }, 'postgres');

  it('describes every HTTP route of the API from the zod schemas, with bearer auth', async () => {
    const r = await fetch(`${f.service.httpUrl}/docs/json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, Record<string, any>>; components: any };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // the DESIGN table, path by path
    for (const [method, path] of [
      ['post', '/api/login'],
      ['get', '/api/areas'],
      ['patch', '/api/residents/{id}'],
      ['post', '/api/devices'],
      ['get', '/api/caregivers'],
      ['delete', '/api/shifts/{id}'],
      ['get', '/api/alarms'],
      ['get', '/api/alarms/{id}'],
      ['post', '/api/alarms/{id}/{action}'],
      ['get', '/api/reports/response-times'],
      ['get', '/healthz'],
      ['post', '/twilio/sms'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    const action = doc.paths['/api/alarms/{id}/{action}']!.post;
    expect(action.parameters.find((p: { name: string }) => p.name === 'action').schema.enum).toEqual(['accept', 'arrive', 'resolve', 'cancel', 'reassign', 'note']);
    expect(action.requestBody.content['application/json'].schema.anyOf[0].properties).toHaveProperty('outcome');
    const alarm = doc.paths['/api/alarms']!.get.responses['200'].content['application/json'].schema.items;
    expect(alarm.properties.raisedAt).toEqual({ type: 'string', format: 'date-time' });
    expect(alarm.properties.status.enum).toContain('on_site');
    expect(doc.paths['/api/alarms']!.get.tags).toEqual(['alarms']);
  });

  it('gives every operation a summary, and says what an integrator cannot guess from the shapes', async () => {
    const doc = (await (await fetch(`${f.service.httpUrl}/docs/json`)).json()) as Doc;
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const missing = operations.filter(({ op }) => typeof op.summary !== 'string' || op.summary.trim() === '').map((o) => o.name);
    expect(missing, 'operations without a summary').toEqual([]);

    // roles, side effects and the action rules are in the descriptions
    expect(doc.paths['/api/devices']!.post.description).toMatch(/secret.*once/i);
    expect(doc.paths['/api/devices/{id}/secret']!.post.description).toMatch(/Role: admin/);
    const action = doc.paths['/api/alarms/{id}/{action}']!.post.description as string;
    for (const a of ['accept', 'arrive', 'resolve', 'cancel', 'reassign', 'note']) expect(action).toContain(`\`${a}\``);
    expect(action).toMatch(/operators only/);
    expect(doc.paths['/api/alarms']!.get.description).toMatch(/caregiver login sees only/i);
    expect(doc.paths['/twilio/sms']!.post.description).toMatch(/X-Twilio-Signature/);
    expect(doc.paths['/twilio/sms']!.post.security).toEqual([]);
    expect(doc.paths['/api/reports/response-times']!.get.description).toMatch(/text\/csv.*columns: key,label,alarms,/);
    // query parameters whose meaning is not in their type
    const param = (path: string, name: string) =>
      (doc.paths[path]!.get.parameters as Array<{ name: string; description?: string }>).find((p) => p.name === name)?.description;
    expect(param('/api/alarms', 'status')).toMatch(/closed: resolved or cancelled/);
    expect(param('/api/alarms', 'from')).toMatch(/ISO 8601/);
    expect(param('/api/reports/response-times', 'groupBy')).toMatch(/caregiver/);
    expect(param('/api/reports/response-times', 'format')).toMatch(/csv/);
  });

  it('names every operation for generated clients and declares its error answers, with the one error body', async () => {
    const doc = (await (await fetch(`${f.service.httpUrl}/docs/json`)).json()) as Doc;
    const operations = operationsOf(doc);
    const ids = operations.map(({ op }) => op.operationId as unknown);
    expect(operations.filter(({ op }) => typeof op.operationId !== 'string').map((o) => o.name), 'operations without an operationId').toEqual([]);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(String(id))), 'operationIds that are not camelCase').toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'operationIds used twice').toEqual([]);
    const without4xx = operations.filter(({ name, op }) => !NO_4XX.has(name) && !Object.keys(op.responses ?? {}).some((s) => /^4(\d\d|XX)$/.test(s)));
    expect(without4xx.map((o) => o.name), 'operations without a 4xx response').toEqual([]);

    expect(doc.paths['/api/residents']!.get.operationId).toBe('listResidents');
    expect(doc.paths['/api/alarms/{id}/{action}']!.post.operationId).toBe('actOnAlarm');
    const act = doc.paths['/api/alarms/{id}/{action}']!.post.responses;
    expect(Object.keys(act)).toEqual(['200', '400', '401', '403', '404', '409', '503']);
    expect(act['409'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(act['409'].description).toMatch(/current state/);
    const error = doc.components.schemas.Error;
    expect(error.required).toEqual(['error', 'code']);
    expect(Object.keys(error.properties)).toEqual(['error', 'code', 'reason', 'details']);
    // a delete documents its 204 without a body; the Twilio reply is TwiML, not JSON
    expect(doc.paths['/api/areas/{id}']!.delete.responses['204']).toEqual({ description: 'Deleted' });
    expect(Object.keys(doc.paths['/twilio/sms']!.post.responses['200'].content)).toEqual(['text/xml']);
  });

  it('names this service (PUBLIC_URL) as its server, and passes a linter with no errors', async () => {
    const source = await (await fetch(`${f.service.httpUrl}/docs/json`)).text();
    expect((JSON.parse(source) as Doc).servers).toEqual([{ url: 'https://alarms.care-centre.test', description: 'this service (PUBLIC_URL)' }]);
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, config, absoluteRef: 'openapi.json' });
    const shown = (list: typeof problems) => list.map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(shown(problems.filter((p) => p.severity === 'error')), 'lint errors').toEqual([]);
    // warnings too, but for those accepted on purpose (see NO_4XX and ACCEPTED_WARNINGS)
    const probe4xx = new Set([...NO_4XX].map((name) => pointerOf(name, 'responses')));
    const unexpected = problems.filter(
      (p) =>
        p.severity === 'warn' &&
        !ACCEPTED_WARNINGS.has(p.ruleId) &&
        !(p.ruleId === 'operation-4xx-response' && probe4xx.has(p.location[0]?.pointer ?? '')),
    );
    expect(shown(unexpected), 'lint warnings').toEqual([]);
  });

  it('serves the browsable page and its assets from the service itself (no CDN)', async () => {
    const page = await fetch(`${f.service.httpUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\//i);
    const css = /href="([^"]+swagger-ui\.css)"/.exec(html)?.[1];
    expect(css).toBeDefined();
    const asset = await fetch(new URL(css!, page.url));
    expect(asset.status).toBe(200);
    // read it: a body left unread holds the connection, and the service's close waits for it
    expect((await asset.text()).length).toBeGreaterThan(1000);
  });
});

/** The JSON pointer of an operation's member, as the linter reports it: 'GET /healthz' → #/paths/~1healthz/get/responses. */
function pointerOf(name: string, member: string): string {
  const [method, path] = name.split(' ') as [string, string];
  return `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/${member}`;
}
