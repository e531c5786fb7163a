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
