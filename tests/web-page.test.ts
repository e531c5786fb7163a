import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPageRoutes } from '../dispatch-console/console/routes/web-page.ts';
import { buildWeb, WEB_DIST, webBuildIsStale } from './helpers/build-web.ts';
import { startConsole, type ConsoleHarness } from './helpers/console-app.ts';
import { tempDir } from './helpers/test-db.ts';

const scriptSrc = (html: string) => /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];

beforeAll(async () => {
  // the vitest globalSetup has built it; this covers a run of this file with another config
  if (webBuildIsStale()) await buildWeb();
});

describe('web page plugin', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(webPageRoutes, { distDir: WEB_DIST });
    await app.ready();
  });
  afterAll(() => app?.close());

  it('answers the page at / (revalidated on every load) naming its hashed script', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    // only its own bundle and origin; not frameable (the browser test fails on any violation)
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<div id="app"></div>');
    expect(scriptSrc(res.body)).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    // no CDN or other outside address: the centres have no internet
    expect(res.body).not.toMatch(/https?:\/\//);

    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers the assets with a year-long immutable cache', async () => {
    const page = await app.inject('/');
    const js = await app.inject(scriptSrc(page.body)!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body.length).toBeGreaterThan(1000);

    const css = /href="(\/assets\/[^"]+\.css)"/.exec(page.body)?.[1];
    expect(css).toBeDefined();
    expect((await app.inject(css!)).headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers 404 for a missing asset and for paths that try to leave assets/', async () => {
    for (const url of ['/assets/nope.js', '/assets/..%2findex.html', '/assets/..%2f..%2f..%2fpackage.json']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('claims nothing but / and /assets/*', async () => {
    for (const url of ['/index.html', '/reports', '/api/anything', '/ws', '/docs']) {
      expect((await app.inject(url)).statusCode, url).toBe(404);
    }
  });

  it('answers 503 with how to build it when dist/ is missing', async () => {
    const empty = tempDir('homecare-web-');
    const bare = Fastify();
    try {
      await bare.register(webPageRoutes, { distDir: empty.path });
      const res = await bare.inject('/');
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('The console page is not built: run npm run build:web');
      expect((await bare.inject('/assets/index.js')).statusCode).toBe(404);
    } finally {
      await bare.close();
      empty.remove();
    }
  });
});

describe('web page in the console app', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsole('embedded');
  });
  afterAll(() => h?.close());

  it('serves the page and its script without a login, while /api still needs one', async () => {
    const page = await h.app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="app"></div>');
    const js = await h.app.inject(scriptSrc(page.body)!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);

    expect((await h.app.inject('/api/me')).statusCode).toBe(401);
    expect((await h.app.inject('/healthz')).statusCode).toBe(200);
  });
});
