import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, base64url, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { loadSessionSecret } from '../../src/auth/session-tokens';
import { ViewerDocument } from '../../src/client/generated/graphql';
import { ConfigError, loadConfig } from '../../src/config';
import { errorCodes, startTestEnv, type GraphQLResult, type TestEnv } from '../support/harness';
import { serviceEnv, startService, stopServices } from '../support/processes';

/** An identity provider's JWKS endpoint, served locally. */
let idp: http.Server;
let jwksUrl: string;
let env: TestEnv;
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'https://keyledger.example.test/api';

/** Signing keys: the published ones by kid, and one that is never published. */
const keys: Record<'rsa' | 'ec' | 'bare' | 'unpublished', KeyLike> = {} as never;

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  // Published without `alg`: the provider's metadata alone would let it verify RS384 or PS256 signatures.
  const bare = await generateKeyPair('RS256');
  const unpublished = await generateKeyPair('RS256');
  Object.assign(keys, {
    rsa: rsa.privateKey,
    ec: ec.privateKey,
    bare: bare.privateKey,
    unpublished: unpublished.privateKey,
  });
  const published = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-key', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-key', alg: 'ES256', use: 'sig' },
    { ...(await exportJWK(bare.publicKey)), kid: 'bare-key', use: 'sig' },
  ];
  idp = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks.json`;
  env = await startTestEnv({ JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
});
afterAll(async () => {
  await stopServices();
  await env.close();
  await new Promise((resolve) => idp.close(resolve));
});

interface IdpTokenOptions {
  /** @default the published RS256 key */
  key?: KeyLike;
  /** @default "RS256" */
  alg?: string;
  /** @default "rsa-key" */
  kid?: string;
  /** @default ISSUER */
  issuer?: string;
  /** `null` leaves `aud` out. @default AUDIENCE */
  audience?: string | null;
  /** Unix seconds; `null` leaves `exp` out. @default five minutes from now */
  expiresAt?: number | null;
}

const now = () => Math.floor(Date.now() / 1000);

function idpToken(claims: { sub: string; acct: string }, options: IdpTokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ acct: claims.acct })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-key' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt(now() - 60);
  const audience = options.audience === undefined ? AUDIENCE : options.audience;
  if (audience !== null) jwt.setAudience(audience);
  const expiresAt = options.expiresAt === undefined ? now() + 300 : options.expiresAt;
  if (expiresAt !== null) jwt.setExpirationTime(expiresAt);
  return jwt.sign(options.key ?? keys.rsa);
}

function expectUnauthenticated(result: GraphQLResult<unknown>): void {
  expect(result.status).toBe(401);
  expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  expect(result.data ?? null).toBeNull();
}

describe('tokens of an external identity provider (JWKS_URL)', () => {
  it('accepts an RS256 token signed by the provider for a member', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken({ sub: owner.userId, acct: owner.accountId });
    const result = await env.api.call(ViewerDocument, {}, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toMatchObject({ role: 'OWNER', user: { id: owner.userId } });
  });

  it('accepts an ES256 token signed by the provider for a member', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken(
      { sub: owner.userId, acct: owner.accountId },
      { key: keys.ec, alg: 'ES256', kid: 'ec-key' },
    );
    const result = await env.api.call(ViewerDocument, {}, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toMatchObject({ user: { id: owner.userId } });
  });

  it('refuses a provider token with the wrong issuer with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken(
      { sub: owner.userId, acct: owner.accountId },
      { issuer: 'https://evil.example.test/' },
    );
    expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
  });

  it('refuses a token signed by a key the provider does not publish with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const claims = { sub: owner.userId, acct: owner.accountId };
    // Under a published kid, and under a kid of its own.
    for (const kid of ['rsa-key', 'rogue-key']) {
      const token = await idpToken(claims, { key: keys.unpublished, kid });
      expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
    }
  });

  it('refuses an expired provider token with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken({ sub: owner.userId, acct: owner.accountId }, { expiresAt: now() - 120 });
    const result = await env.api.call(ViewerDocument, {}, { token });
    expectUnauthenticated(result);
    expect(result.errors![0]!.message).toMatch(/expired/i);
  });

  it('refuses a provider token without exp with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken({ sub: owner.userId, acct: owner.accountId }, { expiresAt: null });
    expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
  });

  it('refuses a validly signed provider token whose subject is not a member of its account with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const stranger = await env.seedAccount();
    for (const sub of [stranger.userId, randomUUID()]) {
      const token = await idpToken({ sub, acct: owner.accountId });
      expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
    }
  });

  it('refuses a provider token for another audience, or for none, with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const claims = { sub: owner.userId, acct: owner.accountId };
    for (const audience of ['https://other-service.example.test/', null]) {
      const token = await idpToken(claims, { audience });
      expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
    }
  });

  it('refuses a provider token signed with an algorithm other than RS256 or ES256 with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const claims = { sub: owner.userId, acct: owner.accountId };
    // The same published key verifies RS256; RS384 and PS256 under it are refused by the pin alone.
    const control = await idpToken(claims, { key: keys.bare, kid: 'bare-key' });
    expect((await env.api.call(ViewerDocument, {}, { token: control })).errors).toBeUndefined();
    for (const alg of ['RS384', 'PS256']) {
      const token = await idpToken(claims, { key: keys.bare, kid: 'bare-key', alg });
      expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
    }
  });

  it('refuses an unsigned token (alg none) with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const payload = { sub: owner.userId, acct: owner.accountId, iss: ISSUER, aud: AUDIENCE, exp: now() + 300 };
    for (const header of [{ alg: 'none' }, { alg: 'none', kid: 'rsa-key' }]) {
      const token = `${encode(header)}.${encode(payload)}.`;
      expectUnauthenticated(await env.api.call(ViewerDocument, {}, { token }));
    }
  });

  it('still accepts the service’s own HS256 session tokens outside production', async () => {
    const owner = await env.seedAccount();
    expect((await env.api.call(ViewerDocument, {}, { token: owner.token })).errors).toBeUndefined();
  });
});

describe('HS256 session tokens in production with only JWKS_URL', () => {
  const production = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://keyledger.example.test',
    // Never fetched: every token these tests present is refused before the key set is asked.
    JWKS_URL: 'https://127.0.0.1:9/jwks.json',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    SESSION_SECRET: '',
  };

  it('refuses an HS256 token signed with the session secret the instance was handed with UNAUTHENTICATED', async () => {
    const owner = await env.seedAccount();
    const instance = await env.startInstance(production);
    expectUnauthenticated(await instance.call(ViewerDocument, {}, { token: owner.token }));
  });

  it('neither generates a session secret nor accepts one left in DATA_DIR by a development run', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kl-jwks-'));
    try {
      const config = loadConfig({ ...production, DATA_DIR: dataDir });
      expect(await loadSessionSecret(config)).toBeUndefined();
      expect(existsSync(path.join(dataDir, 'session-secret'))).toBe(false);

      // A secret from an earlier development run; the service must not sign or verify with it.
      const leftOver = 'left-over-development-secret-of-32-characters';
      await writeFile(path.join(dataDir, 'session-secret'), leftOver, { mode: 0o600 });
      const service = await startService(serviceEnv(env.databaseUrl, { ...production, DATA_DIR: dataDir }));
      const owner = await env.seedAccount();
      const forged = await new SignJWT({ acct: owner.accountId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(owner.userId)
        .setIssuer('keyledger')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(leftOver));
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}` },
        body: JSON.stringify({ query: '{ viewer { user { id } } }' }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(response.status).toBe(401);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await stopServices();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('identity-provider configuration', () => {
  const base = { JWKS_URL: 'https://idp.example.test/.well-known/jwks.json', JWT_ISSUER: ISSUER };

  it('refuses JWKS_URL without JWT_AUDIENCE with a ConfigError naming it', () => {
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/\bJWT_AUDIENCE\b/);
    expect(loadConfig({ ...base, JWT_AUDIENCE: AUDIENCE }).jwtAudience).toBe(AUDIENCE);
  });

  it('refuses an http: JWKS_URL outside development and test', () => {
    const plain = { ...base, JWKS_URL: 'http://idp.example.test/jwks.json', JWT_AUDIENCE: AUDIENCE };
    for (const NODE_ENV of ['production', 'staging']) {
      const load = () =>
        loadConfig({ ...plain, NODE_ENV, SESSION_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://kl.example.test' });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/\bJWKS_URL\b.*https/);
    }
    for (const NODE_ENV of ['development', 'test', undefined]) {
      expect(loadConfig({ ...plain, NODE_ENV }).jwksUrl).toBe(plain.JWKS_URL);
    }
  });
});
