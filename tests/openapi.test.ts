import { describe, expect, it } from 'vitest';
import { useService } from './helpers/care-centre.ts';

describe('OpenAPI description at /docs', () => {
  const { f } = useService({}, 'homecare-docs-');

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
    const doc = (await (await fetch(`${f.service.httpUrl}/docs/json`)).json()) as { paths: Record<string, Record<string, any>> };
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => methods.has(method))
        .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
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

  it('serves the browsable page and its assets from the service itself (no CDN)', async () => {
    const page = await fetch(`${f.service.httpUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[a-z0-9.-]+\//i);
    const css = /href="([^"]+swagger-ui\.css)"/.exec(html)?.[1];
    expect(css).toBeDefined();
    expect((await fetch(new URL(css!, page.url))).status).toBe(200);
  });
});
