import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(__dirname, 'web');

/**
 * The settings pages (web/): one HTML entry per page, built into dist/web/ where the server serves
 * /app/login, /app/settings/api-keys, /app/settings/audit and the hashed /app/assets/*; plus the API explorer
 * (GraphiQL, app/graphiql/), which the server answers on a browser's GET /graphql outside production.
 * JSX goes through Vite's own oxc transform (automatic runtime).
 */
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(__dirname, 'dist/web'),
    emptyOutDir: true,
    assetsDir: 'app/assets',
    target: 'es2022',
    sourcemap: false,
    // A CSP of default-src 'self' forbids inline data: images and fonts: every asset is a file.
    assetsInlineLimit: 0,
    // Monaco, the explorer's editor, is one ~2.8 MB chunk; the settings pages have their own budget (bench:pages).
    chunkSizeWarningLimit: 3000,
    rolldownOptions: {
      // The explorer's dependencies (framer-motion, Radix) mark modules "use client": meaningless outside React
      // Server Components, and a warning per module on every build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        login: resolve(root, 'app/login/index.html'),
        apiKeys: resolve(root, 'app/settings/api-keys/index.html'),
        audit: resolve(root, 'app/settings/audit/index.html'),
        explorer: resolve(root, 'app/graphiql/index.html'),
      },
    },
  },
});
