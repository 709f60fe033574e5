import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(__dirname, 'web');

/**
 * The settings pages (web/): one HTML entry per page, built into dist/web/ where the server serves
 * /app/login, /app/settings/api-keys, /app/settings/audit and the hashed /app/assets/*.
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
    rolldownOptions: {
      input: {
        login: resolve(root, 'app/login/index.html'),
        apiKeys: resolve(root, 'app/settings/api-keys/index.html'),
        audit: resolve(root, 'app/settings/audit/index.html'),
      },
    },
  },
});
