// The settings pages' face: their built HTML and hashed assets under /app, with the security headers; and, outside
// production, the API explorer (GraphiQL, built beside them) on a browser's GET /graphql.
import { createReadStream, existsSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/** The pages: path (without a trailing slash) → their HTML under the build root. */
const PAGES: ReadonlyMap<string, string> = new Map([
  ['/app/login', 'app/login/index.html'],
  ['/app/settings/api-keys', 'app/settings/api-keys/index.html'],
  ['/app/settings/audit', 'app/settings/audit/index.html'],
]);

/** Where `/app` and `/app/` send the browser. */
const HOME = '/app/settings/api-keys';

const ASSETS_PREFIX = '/app/assets/';
/** A built asset's file name: no separators, no leading dot (so never `.` or `..`). */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Sent with every /app response: no inline script, no framing, no foreign base, forms or plugins. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The API explorer's HTML under the build root (web/app/graphiql/, GraphiQL). */
const EXPLORER_PAGE = 'app/graphiql/index.html';

/**
 * Sent with the explorer's HTML only, never with the settings pages: their policy plus what GraphiQL cannot work
 * without. Its editor, Monaco, writes theme, token colours and decorations at run time into `<style>` elements it
 * creates (with no way to give them a nonce, monaco-editor 0.52) and into `style` attributes, which no nonce or hash
 * covers: `style-src 'unsafe-inline'`. Its stylesheets embed their fonts as `data:` URLs: `font-src data:`.
 * Scripts stay `'self'` (no inline script, no eval), and Monaco's workers are files under /app/assets, so
 * `worker-src` falls back to `'self'` (no `blob:`).
 */
export const EXPLORER_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_SECURITY_HEADERS,
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Not built: the one line a browser (or curl) shows. */
export const PAGES_NOT_BUILT = 'the settings pages are not built: run npm run build';

/** The explorer not built: the one line a browser shows on GET /graphql. */
export const EXPLORER_NOT_BUILT = 'the API explorer is not built: run npm run build';

/** True for every path the pages face answers (everything under `/app`). */
export function isPagePath(pathname: string): boolean {
  return pathname === '/app' || pathname.startsWith('/app/');
}

/**
 * The pages' build directory when none is given: `dist/web` of the package this
 * code belongs to (found from the compiled `dist/src/server/` and from `src/server/` alike).
 */
export function defaultPagesRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}

/**
 * Serves GET/HEAD under /app from the Vite build in `root`: the pages' HTML
 * (`no-store`), the hashed assets (immutable for a year), 404 for anything
 * else, 503 when nothing is built. Paths are decoded and checked segment by
 * segment: no `..`, NUL, backslash or encoded slash reaches the file system.
 */
export function pagesServer(root: string) {
  const resolvedRoot = path.resolve(root);
  const { answer, sendFile } = staticFiles(resolvedRoot, PAGE_SECURITY_HEADERS);

  return async function servePage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    }
    const segments = decodedSegments(pathname);
    if (!segments) return answer(res, 404, 'not found');
    if (!existsSync(resolvedRoot)) return answer(res, 503, PAGES_NOT_BUILT);
    const clean = `/${segments.join('/')}`;
    if (clean === '/app') return answer(res, 302, `see ${HOME}`, { location: HOME });
    const page = PAGES.get(clean);
    if (page) return sendFile(req, res, page, 'no-store');
    if (pathname.startsWith(ASSETS_PREFIX) && segments.length === 3 && ASSET_NAME.test(segments[2]!)) {
      return sendFile(req, res, path.join('app', 'assets', segments[2]!), 'public, max-age=31536000, immutable');
    }
    return answer(res, 404, 'not found');
  };
}

/**
 * True for a browser opening /graphql: GET or HEAD, accepting HTML, with no `query` parameter (a GET with one is
 * a GraphQL operation, for Apollo).
 */
export function isExplorerRequest(req: IncomingMessage, url: URL): boolean {
  return (
    url.pathname === '/graphql' &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    !url.searchParams.has('query') &&
    (req.headers.accept ?? '').includes('text/html')
  );
}

/**
 * Serves the API explorer's HTML (`no-store`, under `EXPLORER_SECURITY_HEADERS`) from the Vite build in `root`,
 * or 503 when it is not built. Its assets are the build's, under /app/assets (`pagesServer`).
 */
export function explorerServer(root: string) {
  const resolvedRoot = path.resolve(root);
  const { answer, sendFile } = staticFiles(resolvedRoot, EXPLORER_SECURITY_HEADERS);
  return async function serveExplorer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The same URL answers JSON to a GraphQL GET: caches must key on Accept.
    const vary = { vary: 'accept' };
    if (!existsSync(path.join(resolvedRoot, EXPLORER_PAGE))) return answer(res, 503, EXPLORER_NOT_BUILT, vary);
    return sendFile(req, res, EXPLORER_PAGE, 'no-store', vary);
  };
}

/** Answers from the build in `resolvedRoot` with `securityHeaders`: a one-line text answer, or a file. */
function staticFiles(resolvedRoot: string, securityHeaders: Readonly<Record<string, string>>) {
  function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      ...securityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(`${text}\n`);
  }

  async function sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    relative: string,
    cacheControl: string,
    headers: Record<string, string> = {},
  ): Promise<void> {
    const file = path.resolve(resolvedRoot, relative);
    if (!file.startsWith(resolvedRoot + path.sep)) return answer(res, 404, 'not found');
    const stat = await lstat(file).catch(() => null);
    if (!stat?.isFile()) {
      if (!existsSync(resolvedRoot)) return answer(res, 503, PAGES_NOT_BUILT);
      return answer(res, 404, 'not found');
    }
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(stat.size),
      'cache-control': cacheControl,
      ...headers,
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  return { answer, sendFile };
}

/**
 * The path's segments, each percent-decoded, or null when any is unsafe or
 * malformed: empty in the middle (`//`), `.` or `..`, or holding a slash,
 * backslash, NUL or another control character once decoded. One trailing slash is allowed.
 */
export function decodedSegments(pathname: string): string[] | null {
  const raw = pathname.split('/').slice(1);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const segments: string[] = [];
  for (const segment of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    // eslint-disable-next-line no-control-regex
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\\u0000-\u001f\u007f]/.test(decoded)) {
      return null;
    }
    segments.push(decoded);
  }
  return segments;
}
