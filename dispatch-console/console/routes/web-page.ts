import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where `npm run build:web` writes the page (dispatch-console/web/vite.config.ts). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface WebPageOptions {
  /** The built page: index.html and assets/ (tests point this elsewhere). */
  distDir?: string;
}

// Vite names every asset after its content hash: a file at a given URL never changes.
const ASSET_MAX_AGE = '365d';

// Resident data on screen: the page runs only its own bundle, talks only to its own origin
// (REST and the /ws stream), and cannot be framed by another site.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body style="font-family:system-ui,sans-serif;margin:3em">
<h1>Console not built</h1>
<p>The console page is not built: run npm run build:web (then reload this page).</p>
<p>The API under <code>/api</code> works without it.</p>
</body></html>
`;

/**
 * The operators' web page: `/` answers dist/index.html (never cached, so a new build is
 * picked up at the next load) and `/assets/*` the hashed bundles (cached for a year). The
 * page routes itself with `#/…`, so nothing else is claimed: /api, /ws, /docs and the rest
 * stay with their own plugins. Whether the page is built is checked per request, so
 * building it while the service runs needs no restart.
 */
export const webPageRoutes: FastifyPluginAsync<WebPageOptions> = async (app, opts) => {
  const dist = opts.distDir ?? DEFAULT_WEB_DIST;
  const indexFile = join(dist, 'index.html');
  const assetsDir = join(dist, 'assets');

  // only the reply decorator: the asset route below is ours, so a missing dist/ logs nothing
  await app.register(fastifyStatic, { serve: false });

  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(indexFile)) {
      return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(notBuilt);
    }
    // no-cache: revalidated (ETag) on every load, so it always names the current assets
    return reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').sendFile('index.html', dist, { cacheControl: false });
  });

  app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
    // the raw path, not the decoded wildcard: @fastify/send decodes it once itself and
    // refuses anything that would leave assets/
    const file = request.url.slice('/assets/'.length).split('?')[0] ?? '';
    return reply.sendFile(file, assetsDir, { maxAge: ASSET_MAX_AGE, immutable: true });
  });
};
