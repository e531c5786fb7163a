import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Builds from anywhere (npm scripts run it from the repo root, tests programmatically).
const root = fileURLToPath(new URL('.', import.meta.url));

/** The operators' page: one HTML file and hashed assets, served by routes/web-page.ts. */
export default defineConfig(({ command }) => ({
  root,
  base: '/',
  // everything the page needs is imported from src/: nothing is copied verbatim
  publicDir: false,
  // Vite 8 transforms TSX with oxc (esbuild's jsx options no longer apply). Development JSX
  // only for the dev server: a build from inside vitest (NODE_ENV=test) must still be the
  // production one.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: command === 'serve' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the centres' control-room browsers are evergreen Chromium/Firefox
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  // `npx vite --config dispatch-console/web/vite.config.ts` against a service on the default port
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
}));
