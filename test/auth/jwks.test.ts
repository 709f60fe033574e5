import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { ViewerDocument } from '../../src/client/generated/graphql';
import { errorCodes, startTestEnv, type TestEnv } from '../support/harness';

/** An identity provider's JWKS endpoint, served locally. */
let idp: http.Server;
let privateKey: KeyLike;
let env: TestEnv;
const ISSUER = 'https://idp.example.test/';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  idp = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const { port } = idp.address() as AddressInfo;
  env = await startTestEnv({ JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, JWT_ISSUER: ISSUER });
});
afterAll(async () => {
  await env.close();
  await new Promise((resolve) => idp.close(resolve));
});

function idpToken(claims: { sub: string; acct: string }, issuer = ISSUER): Promise<string> {
  return new SignJWT({ acct: claims.acct })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setSubject(claims.sub)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('tokens of an external identity provider (JWKS_URL)', () => {
  it('accepts an RS256 token signed by the provider for a member', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken({ sub: owner.userId, acct: owner.accountId });
    const result = await env.api.call(ViewerDocument, {}, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.viewer).toMatchObject({ role: 'OWNER', user: { id: owner.userId } });
  });

  it('refuses a provider token with the wrong issuer', async () => {
    const owner = await env.seedAccount();
    const token = await idpToken({ sub: owner.userId, acct: owner.accountId }, 'https://evil.example.test/');
    const result = await env.api.call(ViewerDocument, {}, { token });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('still accepts the service’s own HS256 session tokens', async () => {
    const owner = await env.seedAccount();
    expect((await env.api.call(ViewerDocument, {}, { token: owner.token })).errors).toBeUndefined();
  });
});
