import 'reflect-metadata';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../../src/config';
import { openOrm } from '../../src/db/orm';
import { createApp, type App } from '../../src/server/app';
import { EXPLORER_NOT_BUILT, PAGES_NOT_BUILT, decodedSegments } from '../../src/server/pages';
import { createLogger } from '../../src/shared/logger';
import { createTestDatabase } from '../support/database';
import { TEST_AUDIT_SIGNING_KEY, TEST_SESSION_SECRET } from '../support/harness';

/**
 * The settings pages' face: GET/HEAD under /app from a build directory (a small
 * fake one here, made per run), with security headers; traversal attacks first.
 */
let dir: string;
let database: { url: string; drop(): Promise<void> };
const running: { app: App; orm: MikroORM }[] = [];

const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
/** The explorer's: the pages' plus inline styles and data: fonts (GraphiQL's editor, Monaco). */
const EXPLORER_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
/** What Chromium sends when it opens a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://keyledger.example',
  AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
};

async function start(pagesRoot: string, env: Record<string, string> = {}, databaseUrl = database.url): Promise<App> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: TEST_SESSION_SECRET,
    RATE_LIMIT_POINTS: '1000000',
    ...env,
  });
  const logger = createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }));
  const orm = await openOrm(databaseUrl, 3);
  const app = await (
    await createApp({ config, orm, logger, sessionSecret: new TextEncoder().encode(TEST_SESSION_SECRET), pagesRoot })
  ).listen(0, '127.0.0.1');
  running.push({ app, orm });
  return app;
}

/** A request with the path exactly as written (fetch would normalise `..` and backslashes away). */
function rawRequest(
  app: App,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let app: App;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keyledger-pages-'));
  const root = path.join(dir, 'web');
  for (const page of ['app/login', 'app/settings/api-keys', 'app/settings/audit', 'app/graphiql']) {
    await mkdir(path.join(root, page), { recursive: true });
    await writeFile(path.join(root, page, 'index.html'), `<!doctype html><title>${page}</title>`);
  }
  await mkdir(path.join(root, 'app/assets'), { recursive: true });
  await writeFile(path.join(root, 'app/assets/shell-Ab12.js'), 'console.log("shell");');
  await writeFile(path.join(root, 'app/assets/shell-Ab12.css'), 'body{}');
  await writeFile(path.join(root, 'app/secret.txt'), 'SECRET-INSIDE-ROOT');
  await writeFile(path.join(dir, 'secret.txt'), 'SECRET-OUTSIDE-ROOT');
  await mkdir(path.join(root, 'app/assets/sub'), { recursive: true });
  database = await createTestDatabase();
  app = await start(root);
});

afterAll(async () => {
  for (const { app: one, orm } of running) {
    await one.close();
    await orm.close();
  }
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('pages: attacks', () => {
  it.each([
    '/app/../secret.txt',
    '/app/assets/../../secret.txt',
    '/app/assets/..%2f..%2fsecret.txt',
    '/app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/app/assets/%2e%2e/%2e%2e/secret.txt',
    '/app/assets/..\\..\\secret.txt',
    '/app/assets/..%5c..%5csecret.txt',
    '/app/assets/shell-Ab12.js%00.html',
    '/app/assets/%252e%252e%252fsecret.txt',
    '/app/assets/%c0%ae%c0%ae%2fsecret.txt',
    '/app/assets/%E0%A4%A',
    '/app/assets//etc/passwd',
    '/app/assets/.hidden',
    '/app/assets/sub',
    '/app/secret.txt',
    '/app/login/index.html',
    '/app/login/../../secret.txt',
    '//app/assets/shell-Ab12.js/..',
  ])('never serves a file outside the pages for %s', async (attack) => {
    const answer = await rawRequest(app, attack);
    expect(answer.status).not.toBe(200);
    expect(answer.body).not.toContain('SECRET');
  });

  it('refuses unsafe segments when decoding', () => {
    for (const unsafe of ['/app/%2e%2e', '/app/a%2fb', '/app/a%5cb', '/app/a%00', '/app//x', '/app/%zz', '/app/.']) {
      expect(decodedSegments(unsafe)).toBeNull();
    }
    expect(decodedSegments('/app/settings/api-keys/')).toEqual(['app', 'settings', 'api-keys']);
  });

  it('answers only GET and HEAD', async () => {
    const answer = await rawRequest(app, '/app/login', 'POST');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });
});

describe('pages: serving', () => {
  it.each(['/app/login', '/app/settings/api-keys', '/app/settings/audit', '/app/settings/audit/'])(
    'serves %s as its no-store HTML with the security headers',
    async (page) => {
      const response = await fetch(`${app.url}${page}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toBe(CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(await response.text()).toContain(`<title>${page.replace(/^\/|\/$/g, '')}</title>`);
    },
  );

  it('serves hashed assets as immutable, with their content type; HEAD sends no body', async () => {
    const js = await fetch(`${app.url}/app/assets/shell-Ab12.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-security-policy')).toBe(CSP);
    expect(await js.text()).toBe('console.log("shell");');
    const css = await fetch(`${app.url}/app/assets/shell-Ab12.css`, { method: 'HEAD' });
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-length')).toBe('6');
    expect(await css.text()).toBe('');
  });

  it('redirects /app and /app/ to the API keys page, and answers 404 for anything else under /app', async () => {
    for (const home of ['/app', '/app/']) {
      const response = await fetch(`${app.url}${home}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/app/settings/api-keys');
    }
    for (const missing of ['/app/settings', '/app/nope', '/app/assets/missing.js', '/app/settings/api-keys/x']) {
      const response = await fetch(`${app.url}${missing}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    expect((await fetch(`${app.url}/application`)).status).toBe(404);
  });

  it('answers 503 with one line when the pages are not built', async () => {
    const unbuilt = await start(path.join(dir, 'not-built'));
    for (const page of ['/app/login', '/app/assets/shell-Ab12.js', '/app']) {
      const response = await fetch(`${unbuilt.url}${page}`, { redirect: 'manual' });
      expect(response.status).toBe(503);
      expect(await response.text()).toBe(`${PAGES_NOT_BUILT}\n`);
    }
  });

  it('charges page requests to the per-IP rate limit', async () => {
    // Its own database: the count per address is shared by every instance on one database.
    const own = await createTestDatabase();
    try {
      const limited = await start(path.join(dir, 'web'), { RATE_LIMIT_POINTS: '3' }, own.url);
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await fetch(`${limited.url}/app/login`));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers[0]!.headers.get('ratelimit-policy')).toBeTruthy();
    } finally {
      const last = running.pop()!;
      await last.app.close();
      await last.orm.close();
      await own.drop();
    }
  });
});

describe('pages: the API explorer on GET /graphql', () => {
  it('answers a browser opening /graphql with the explorer, under its own CSP, outside production', async () => {
    const response = await fetch(`${app.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('vary')).toBe('accept');
    expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await response.text()).toContain('<title>app/graphiql</title>');
    const head = await fetch(`${app.url}/graphql`, { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('keeps the explorer CSP off the settings pages and their assets', async () => {
    for (const path of ['/app/login', '/app/settings/api-keys', '/app/assets/shell-Ab12.js']) {
      expect((await fetch(`${app.url}${path}`)).headers.get('content-security-policy')).toBe(CSP);
    }
  });

  it('leaves GraphQL to Apollo: a GET with a query, a GET without HTML, and POSTs answer JSON', async () => {
    const query = encodeURIComponent('{__typename}');
    const preflighted = await fetch(`${app.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });

    // Even a browser's navigation with a query gets JSON (here Apollo's CSRF refusal), never the explorer.
    const navigated = await fetch(`${app.url}/graphql?query=${query}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(navigated.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(await navigated.text()).not.toContain('app/graphiql');

    const plain = await fetch(`${app.url}/graphql`, { headers: { accept: 'application/json' } });
    expect(plain.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);

    const posted = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{__typename}' }),
    });
    expect(await posted.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers 503 with one line when the explorer is not built', async () => {
    const unbuilt = await start(path.join(dir, 'not-built'));
    const response = await fetch(`${unbuilt.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(503);
    expect(await response.text()).toBe(`${EXPLORER_NOT_BUILT}\n`);
  });

  it('serves no explorer, and no Apollo landing page, in production', async () => {
    const production = await start(path.join(dir, 'web'), PRODUCTION);
    const response = await fetch(`${production.url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('content-type')).not.toContain('text/html');
    expect(await response.text()).not.toMatch(/<html|<title|apollo-server-landing-page|embeddable-sandbox/i);
    // Nor under /app: the explorer's HTML is no settings page.
    expect((await fetch(`${production.url}/app/graphiql`)).status).toBe(404);
  });
});
