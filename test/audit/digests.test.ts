import 'reflect-metadata';
import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importJWK } from 'jose';
import { computeEventHash } from '../../src/audit/audit-chain';
import { DEV_SIGNING_KEY_FILE, loadAuditSigningKeys } from '../../src/audit/audit-digest.keys';
import type { AuditEventRecord } from '../../src/audit/audit.records';
import { purgeExpiredAuditEvents } from '../../src/audit/audit-retention';
import {
  AuditDigestsDocument,
  CreateAuditDigestDocument,
  VerifyAuditChainDocument,
  type AuditDigestFieldsFragment,
} from '../../src/client/generated/graphql';
import { loadConfig } from '../../src/config';
import { Plan } from '../../src/entitlements/plans';
import { auditRecords, auditRows, lastAuditSeq, tamperAuditEvents } from '../support/audit';
import { backdateAuditEvents } from '../support/backdate';
import { createApiKey, createApiKeys } from '../support/fixtures';
import {
  errorCodes,
  startTestEnv,
  TEST_AUDIT_SIGNING_KEY,
  TEST_SESSION_SECRET,
  type Instance,
  type SeededAccount,
  type TestEnv,
} from '../support/harness';
import { CLI_JS, MAIN_JS, runNode, type ProcessOutput } from '../support/processes';

/**
 * Proof that outlives the database: signed digests of the audit chain that a customer keeps. Every digest is made
 * over HTTP as a client would, verified with the published JWKS, and saved as NDJSON; the CLI then checks the stored
 * log against them, also after a superuser rewrote the whole chain consistently.
 */
let env: TestEnv;
let scratch: string;
beforeAll(async () => {
  env = await startTestEnv();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'keyledger-digests-'));
});
afterAll(async () => {
  await env.close();
  await rm(scratch, { recursive: true, force: true });
});

type Digest = AuditDigestFieldsFragment;
type Jwk = { kty: string; crv: string; x: string; kid: string; alg: string; use: string };

const JWKS_PATH = '/.well-known/keyledger/audit-signing-keys';

async function premiumWithKeys(keys: number): Promise<SeededAccount> {
  const owner = await env.seedAccount({ plan: Plan.PREMIUM });
  await createApiKeys(env.api, owner.token, keys);
  return owner;
}

async function createDigest(token: string, instance: Instance = env.api): Promise<Digest> {
  const result = await instance.call(CreateAuditDigestDocument, {}, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.createAuditDigest!;
}

async function listDigests(token: string, instance: Instance = env.api): Promise<Digest[]> {
  const result = await instance.call(AuditDigestsDocument, { first: 500 }, { token });
  expect(result.errors).toBeUndefined();
  return result.data!.auditDigests!.edges.map((edge) => edge.node);
}

async function fetchJwks(instance: Instance = env.api): Promise<{ keys: Jwk[] }> {
  const response = await fetch(`${instance.url}${JWKS_PATH}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Jwk[] };
}

/** The signed bytes, written out here independently of the service: canonical JSON with sorted keys. */
function canonicalPayload(digest: Digest): string {
  return JSON.stringify({
    accountId: digest.accountId,
    createdAt: digest.createdAt,
    fromSeq: digest.fromSeq,
    headHash: digest.headHash,
    keyId: digest.keyId,
    previousDigestHash: digest.previousDigestHash ?? null,
    toSeq: digest.toSeq,
  });
}

async function verifiesWith(jwks: { keys: Jwk[] }, digest: Digest): Promise<boolean> {
  const jwk = jwks.keys.find((key) => key.kid === digest.keyId);
  if (!jwk) return false;
  const key = (await importJWK(jwk, 'EdDSA')) as KeyObject;
  return verify(null, Buffer.from(canonicalPayload(digest)), key, Buffer.from(digest.signature, 'base64url'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function hashOfEvent(accountId: string, seq: number): Promise<string> {
  const [row] = await env.sql<{ hash: string }>('SELECT hash FROM audit_events WHERE account_id = $1 AND seq = $2', [
    accountId,
    seq,
  ]);
  return row!.hash;
}

async function digestCount(accountId: string): Promise<number> {
  const [row] = await env.sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_digests WHERE account_id = $1', [
    accountId,
  ]);
  return row!.n;
}

/** Saves digests as a customer would: one node a line. */
async function saveDigests(digests: Digest[], name = `digests-${Date.now()}-${Math.random()}.ndjson`): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, digests.map((digest) => JSON.stringify(digest)).join('\n') + '\n');
  return file;
}

function cli(args: string[], extra: Record<string, string> = {}): Promise<ProcessOutput> {
  return runNode(CLI_JS, args, {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
      LOG_LEVEL: 'warn',
      ...extra,
    },
  });
}

/**
 * What a database superuser can do: change an event's content, then recompute every hash after it and move the chain
 * head onto the new newest hash, so the chain verifies in itself.
 */
async function rewriteChainConsistently(accountId: string, seq: number, actorDisplay: string): Promise<void> {
  const statements: [string, unknown[]][] = [];
  let prevHash: string | undefined;
  for (const event of await auditRecords(env, accountId)) {
    const rewritten: AuditEventRecord = {
      ...event,
      actorDisplay: event.seq === seq ? actorDisplay : event.actorDisplay,
      prevHash: prevHash ?? event.prevHash,
    };
    prevHash = computeEventHash(rewritten.prevHash, rewritten);
    statements.push([
      'UPDATE audit_events SET actor_display = $1, prev_hash = $2, hash = $3 WHERE account_id = $4 AND seq = $5',
      [rewritten.actorDisplay, rewritten.prevHash, prevHash, accountId, event.seq],
    ]);
  }
  await tamperAuditEvents(env, ...statements);
  await env.sql('UPDATE audit_chain_heads SET last_hash = $1 WHERE account_id = $2', [prevHash, accountId]);
}

describe('createAuditDigest', () => {
  it('signs the chain up to its head with Ed25519, verifiable with the published JWKS', async () => {
    const owner = await premiumWithKeys(2);
    const head = await lastAuditSeq(env, owner.accountId);
    const digest = await createDigest(owner.token);
    expect(digest).toMatchObject({
      accountId: owner.accountId,
      fromSeq: 1,
      toSeq: head,
      headHash: await hashOfEvent(owner.accountId, head),
      previousDigestHash: null,
    });
    expect(digest.createdAt).toBe(new Date(digest.createdAt).toISOString());

    const response = await fetch(`${env.api.url}${JWKS_PATH}`);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const jwks = (await response.json()) as { keys: Jwk[] };
    expect(jwks.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: digest.keyId, alg: 'EdDSA', use: 'sig' },
    ]);
    // The key id: the first 16 hex digits of SHA-256 over the raw public key.
    const raw = Buffer.from(jwks.keys[0]!.x, 'base64url');
    expect(raw).toHaveLength(32);
    expect(digest.keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(await verifiesWith(jwks, digest)).toBe(true);
    // Any change to what was signed fails.
    expect(await verifiesWith(jwks, { ...digest, toSeq: digest.toSeq - 1 })).toBe(false);
    expect(await verifiesWith(jwks, { ...digest, headHash: '0'.repeat(64) })).toBe(false);
  });

  it('is recorded as audit.digest_created right after the head it covers', async () => {
    const owner = await premiumWithKeys(1);
    const digest = await createDigest(owner.token);
    const [event] = await auditRows(env, owner.accountId, ['seq', 'action', 'target_id', 'metadata', 'actor_type'], {
      afterSeq: digest.toSeq,
    });
    expect(event).toEqual({
      seq: digest.toSeq + 1,
      action: 'audit.digest_created',
      target_id: digest.id,
      metadata: { fromSeq: digest.fromSeq, toSeq: digest.toSeq, keyId: digest.keyId },
      actor_type: 'USER',
    });
  });

  it('chains consecutive digests: each starts after the last and names its hash', async () => {
    const owner = await premiumWithKeys(1);
    const first = await createDigest(owner.token);
    await createApiKeys(env.api, owner.token, 2);
    const second = await createDigest(owner.token);
    expect(second.fromSeq).toBe(first.toSeq + 1);
    expect(second.toSeq).toBe(first.toSeq + 3); // digest_created + 2 keys
    expect(second.previousDigestHash).toBe(sha256(canonicalPayload(first) + first.signature));
    expect(second.headHash).toBe(await hashOfEvent(owner.accountId, second.toSeq));
    expect(await verifiesWith(await fetchJwks(), second)).toBe(true);

    // Listed oldest first, paged by cursor.
    expect((await listDigests(owner.token)).map((digest) => digest.id)).toEqual([first.id, second.id]);
    const page = await env.api.call(AuditDigestsDocument, { first: 1 }, { token: owner.token });
    expect(page.data!.auditDigests!.edges.map((edge) => edge.node.id)).toEqual([first.id]);
    expect(page.data!.auditDigests!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await env.api.call(
      AuditDigestsDocument,
      { first: 1, after: page.data!.auditDigests!.pageInfo.endCursor },
      { token: owner.token },
    );
    expect(next.data!.auditDigests!.edges.map((edge) => edge.node.id)).toEqual([second.id]);
    expect(next.data!.auditDigests!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('is idempotent: with nothing new since the latest digest it returns that one and writes nothing', async () => {
    const owner = await premiumWithKeys(1);
    const first = await createDigest(owner.token);
    const seqAfterFirst = await lastAuditSeq(env, owner.accountId);
    const again = await createDigest(owner.token);
    expect(again).toEqual(first);
    expect(await lastAuditSeq(env, owner.accountId)).toBe(seqAfterFirst);
    expect(await digestCount(owner.accountId)).toBe(1);
  });

  it('is refused on a plan without AUDIT_LOG with ENTITLEMENT_REQUIRED, and writes nothing', async () => {
    const free = await env.seedAccount({ plan: Plan.FREE });
    const created = await env.api.call(CreateAuditDigestDocument, {}, { token: free.token });
    expect(created.data?.createAuditDigest).toBeNull();
    expect(errorCodes(created)).toEqual(['ENTITLEMENT_REQUIRED']);
    expect(created.errors![0]!.extensions).toMatchObject({ feature: 'AUDIT_LOG', requiredPlan: 'PREMIUM' });
    const listed = await env.api.call(AuditDigestsDocument, {}, { token: free.token });
    expect(listed.data?.auditDigests).toBeNull();
    expect(errorCodes(listed)).toEqual(['ENTITLEMENT_REQUIRED']);
    expect(await digestCount(free.accountId)).toBe(0);
  });

  it('needs audit:read from an API key', async () => {
    const owner = await premiumWithKeys(0);
    const without = await createApiKey(env.api, owner.token, { name: 'keys only', scopes: ['KEYS_READ'] });
    const refused = await env.api.call(CreateAuditDigestDocument, {}, { token: without.secret });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    // Refused like any mutation: recorded as DENIED, and nothing signed.
    expect((await auditRows(env, owner.accountId, ['action', 'outcome', 'actor_id'])).at(-1)).toEqual({
      action: 'audit.digest_created',
      outcome: 'DENIED',
      actor_id: without.id,
    });
    expect(await digestCount(owner.accountId)).toBe(0);
    expect(errorCodes(await env.api.call(AuditDigestsDocument, {}, { token: without.secret }))).toEqual(['FORBIDDEN']);

    const reader = await createApiKey(env.api, owner.token, { name: 'auditor', scopes: ['AUDIT_READ'] });
    const digest = await createDigest(reader.secret);
    expect(digest.accountId).toBe(owner.accountId);
    expect((await listDigests(reader.secret)).map((listed) => listed.id)).toEqual([digest.id]);
  });

  it('keeps accounts apart: each sees and signs only its own chain', async () => {
    const alice = await premiumWithKeys(3);
    const bob = await premiumWithKeys(0);
    const aliceDigest = await createDigest(alice.token);
    expect(await listDigests(bob.token)).toEqual([]);
    const bobDigest = await createDigest(bob.token);
    expect(bobDigest).toMatchObject({ accountId: bob.accountId, fromSeq: 1, toSeq: 1 });
    expect(bobDigest.headHash).toBe(await hashOfEvent(bob.accountId, 1));
    expect((await listDigests(bob.token)).map((digest) => digest.id)).toEqual([bobDigest.id]);
    expect((await listDigests(alice.token)).map((digest) => digest.id)).toEqual([aliceDigest.id]);
  });
});

describe('the hourly digest job', () => {
  it('signs a digest only for accounts with events newer than their latest digest', async () => {
    const busy = await premiumWithKeys(1);
    const quiet = await premiumWithKeys(1);
    const free = await env.seedAccount({ plan: Plan.FREE });
    const digests = env.api.app.services.digests;

    const first = await digests.createDue(env.api.orm.em.fork());
    expect(first.created).toBeGreaterThanOrEqual(3);
    expect(first.failed).toEqual([]);
    for (const owner of [busy, quiet, free]) expect(await digestCount(owner.accountId)).toBe(1);

    await createApiKeys(env.api, busy.token, 1);
    // The mutation signs quiet's new event; its own audit.digest_created event alone does not make quiet due.
    await createApiKeys(env.api, quiet.token, 1);
    await createDigest(quiet.token);
    const second = await digests.createDue(env.api.orm.em.fork());
    expect(await digestCount(busy.accountId)).toBe(2);
    expect(await digestCount(quiet.accountId)).toBe(2);
    expect(await digestCount(free.accountId)).toBe(1);
    expect(second.created).toBeGreaterThanOrEqual(1);

    const latest = (await listDigests(busy.token)).at(-1)!;
    expect(latest.toSeq).toBe(await lastAuditSeq(env, busy.accountId));
    expect(await verifiesWith(await fetchJwks(), latest)).toBe(true);

    // Nothing new anywhere of ours: nothing signed.
    await digests.createDue(env.api.orm.em.fork());
    expect(await digestCount(busy.accountId)).toBe(2);
    expect(await digestCount(quiet.accountId)).toBe(2);
  });

  it('creates each digest once when several instances run the job at the same moment', async () => {
    const owners = await Promise.all([premiumWithKeys(1), premiumWithKeys(2), premiumWithKeys(1)]);
    const other = await env.startInstance();
    await Promise.all([
      env.api.app.services.digests.createDue(env.api.orm.em.fork()),
      other.app.services.digests.createDue(other.orm.em.fork()),
      env.api.app.services.digests.createDue(env.api.orm.em.fork()),
    ]);
    for (const owner of owners) expect(await digestCount(owner.accountId)).toBe(1);
  });
});

describe('signing keys', () => {
  it('keeps publishing a retired key, so digests it signed still verify after a rotation', async () => {
    const owner = await premiumWithKeys(1);
    const old = await createDigest(owner.token);
    const oldX = (await fetchJwks()).keys[0]!.x;
    const { privateKey } = generateKeyPairSync('ed25519');
    const rotated = {
      AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      AUDIT_SIGNING_KEYS_RETIRED: oldX,
    };
    const instance = await env.startInstance(rotated);
    const jwks = await fetchJwks(instance);
    expect(jwks.keys.map((key) => key.kid)).toEqual([expect.any(String), old.keyId]);
    await createApiKeys(instance, owner.token, 1);
    const fresh = await createDigest(owner.token, instance);
    expect(fresh.keyId).toBe(jwks.keys[0]!.kid);
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(fresh.previousDigestHash).toBe(sha256(canonicalPayload(old) + old.signature));
    expect(await verifiesWith(jwks, old)).toBe(true);
    expect(await verifiesWith(jwks, fresh)).toBe(true);

    const file = await saveDigests(await listDigests(owner.token));
    const verified = await cli(['audit', 'verify', '--digests', file, '--account', owner.accountId], {
      AUDIT_SIGNING_KEY: rotated.AUDIT_SIGNING_KEY,
      AUDIT_SIGNING_KEYS_RETIRED: oldX,
    });
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^ok: 2 digest\(s\) of 1 account\(s\) verified/);
    // Without the retired key, the old digest's key is unknown.
    const forgotten = await cli(['audit', 'verify', '--digests', file], {
      AUDIT_SIGNING_KEY: rotated.AUDIT_SIGNING_KEY,
    });
    expect(forgotten.code).toBe(1);
    expect(forgotten.stdout).toContain(`signed with key ${old.keyId}, which is not a published signing key`);
  });

  it('generates a development key into DATA_DIR (0600) once, and none in production', async () => {
    const dataDir = path.join(scratch, 'dev-key');
    const first = await loadAuditSigningKeys(loadConfig({ DATA_DIR: dataDir }));
    const file = path.join(dataDir, DEV_SIGNING_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = await loadAuditSigningKeys(loadConfig({ DATA_DIR: dataDir }));
    expect(again.signingKeyId).toBe(first.signingKeyId);
    expect(first.signingKeyId).toMatch(/^[0-9a-f]{16}$/);

    const prodDir = path.join(scratch, 'prod-key');
    const production = loadConfig({
      DATA_DIR: prodDir,
      NODE_ENV: 'production',
      SESSION_SECRET: TEST_SESSION_SECRET,
      PUBLIC_URL: 'https://keyledger.example.test',
    });
    expect((await loadAuditSigningKeys(production)).signingKeyId).toBeUndefined();
    expect(existsSync(prodDir)).toBe(false);
  });

  it('refuses to start in production without AUDIT_SIGNING_KEY, or with a bad one, with exit code 2', async () => {
    const dataDir = path.join(scratch, 'prod-start');
    const base = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      SESSION_SECRET: TEST_SESSION_SECRET,
      PUBLIC_URL: 'https://keyledger.example.test',
    };
    const missing = await runNode(MAIN_JS, [], { env: base, killAfterMs: 15_000 });
    expect({ code: missing.code, stdout: missing.stdout }).toEqual({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^keyledger: invalid configuration: [^\n]*\bAUDIT_SIGNING_KEY\b[^\n]*\n$/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const wrongKind = await runNode(MAIN_JS, [], {
      env: { ...base, AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
      killAfterMs: 15_000,
    });
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/^keyledger: invalid configuration: AUDIT_SIGNING_KEY must be an Ed25519/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('keyledger audit verify --digests', () => {
  async function accountWithDigests(): Promise<{ owner: SeededAccount; file: string; digests: Digest[] }> {
    const owner = await premiumWithKeys(2);
    await createDigest(owner.token);
    await createApiKeys(env.api, owner.token, 2);
    await createDigest(owner.token);
    const digests = await listDigests(owner.token);
    expect(digests).toHaveLength(2);
    return { owner, digests, file: await saveDigests(digests) };
  }

  it('passes on an untouched chain with a summary and exit code 0', async () => {
    const { owner, file } = await accountWithDigests();
    const result = await cli(['audit', 'verify', '--digests', file, '--account', owner.accountId]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^ok: 2 digest\(s\) of 1 account\(s\) verified: .* through seq 6$/),
    ]);
  });

  it('verifies against a JWKS the customer saved, and refuses digests signed by another key', async () => {
    const { file } = await accountWithDigests();
    const jwksFile = path.join(scratch, 'saved-jwks.json');
    await writeFile(jwksFile, JSON.stringify(await fetchJwks()));
    // No service key in this environment at all: only the saved JWKS.
    const withoutServiceKey = { AUDIT_SIGNING_KEY: '', DATA_DIR: path.join(scratch, 'no-service-key') };
    const ok = await cli(['audit', 'verify', '--digests', file, '--jwks', jwksFile], withoutServiceKey);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^ok: 2 digest\(s\)/);

    const stranger = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const otherFile = path.join(scratch, 'other-jwks.json');
    await writeFile(otherFile, JSON.stringify({ keys: [{ ...stranger, kid: 'other', alg: 'EdDSA', use: 'sig' }] }));
    const refused = await cli(['audit', 'verify', '--digests', file, '--jwks', otherFile], withoutServiceKey);
    expect(refused.code).toBe(1);
    expect(refused.stdout.split('\n').filter((line) => line.includes('not a published signing key'))).toHaveLength(2);
  });

  it('catches a single altered event and names it', async () => {
    const { owner, file, digests } = await accountWithDigests();
    await tamperAuditEvents(env, [
      `UPDATE audit_events SET actor_display = 'mallory@example.test' WHERE account_id = $1 AND seq = 2`,
      [owner.accountId],
    ]);
    const result = await cli(['audit', 'verify', '--digests', file]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      `account ${owner.accountId}: event seq 2 does not match its stored hash or link: events were altered from there`,
      expect.stringMatching(new RegExp(`^line 1: digest ${digests[0]!.id} .*seq 1-3\\): rewritten: `)),
      expect.stringMatching(new RegExp(`^line 2: digest ${digests[1]!.id} .*seq 4-6\\): rewritten: `)),
      'FAILED: 3 problem(s) in 2 digest(s)',
    ]);
  });

  it('catches a whole chain rewritten consistently in SQL as a superuser, which the chain alone cannot see', async () => {
    const { owner, file, digests } = await accountWithDigests();
    await rewriteChainConsistently(owner.accountId, 2, 'mallory@example.test');
    // The rewrite is perfect as far as the stored chain goes: every hash and the head agree.
    const chain = await env.api.call(VerifyAuditChainDocument, {}, { token: owner.token });
    expect(chain.data!.verifyAuditChain).toMatchObject({ ok: true, brokenRangeCount: 0 });
    expect(await auditRows(env, owner.accountId, ['actor_display'], { afterSeq: 1 })).toContainEqual({
      actor_display: 'mallory@example.test',
    });

    const result = await cli(['audit', 'verify', '--digests', file, '--account', owner.accountId]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^line 1: digest ${digests[0]!.id} \\(account ${owner.accountId}, seq 1-3\\): rewritten: .* \\(the stored chain is consistent in itself: it was rewritten as a whole\\)$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^line 2: digest ${digests[1]!.id} .*: rewritten: `)),
      'FAILED: 2 problem(s) in 2 digest(s)',
    ]);
  });

  it('catches deleted events, a forged digest and a broken digest chain', async () => {
    const { owner, digests } = await accountWithDigests();
    const forged = { ...digests[1]!, toSeq: digests[1]!.toSeq - 1 };
    const relinked = { ...digests[1]!, previousDigestHash: 'f'.repeat(64) };
    const file = await saveDigests([digests[0]!, forged]);
    const forgedResult = await cli(['audit', 'verify', '--digests', file]);
    expect(forgedResult.code).toBe(1);
    expect(forgedResult.stdout).toContain('the signature does not verify: the digest was altered');
    const relinkedResult = await cli(['audit', 'verify', '--digests', await saveDigests([digests[0]!, relinked])]);
    expect(relinkedResult.stdout).toContain('previousDigestHash does not match the digest before it (line 1)');

    await tamperAuditEvents(env, ['DELETE FROM audit_events WHERE account_id = $1 AND seq >= 5', [owner.accountId]]);
    const deleted = await cli(['audit', 'verify', '--digests', await saveDigests(digests)]);
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toContain(
      `account ${owner.accountId}: the stored log ends at seq 4: events after it are missing (deleted)`,
    );
    expect(deleted.stdout).toMatch(/seq 4-6\): the stored chain cannot be recomputed to seq 6/);
  });

  it('reports a digest whose range retention purged as not checkable, not as a rewrite', async () => {
    const owner = await premiumWithKeys(2);
    await backdateAuditEvents(env, owner.accountId, { 1: 120, 2: 110, 3: 100 });
    const old = await createDigest(owner.token);
    expect(old).toMatchObject({ fromSeq: 1, toSeq: 3 });
    await createApiKeys(env.api, owner.token, 1);
    const recent = await createDigest(owner.token);
    expect(await purgeExpiredAuditEvents(env.api.orm.em.fork(), owner.accountId)).toMatchObject({ deleted: 3 });

    const file = await saveDigests([old, recent]);
    const result = await cli(['audit', 'verify', '--digests', file]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^line 1: digest .* not checkable \(purged\): retention purged the events through seq 3$/),
      expect.stringMatching(
        /^ok: 1 digest\(s\) of 1 account\(s\) verified: .* through seq 5; 1 not checkable \(purged\)$/,
      ),
    ]);
  });

  it('explains an unreadable file and bad usage with exit code 2, and bad lines as problems', async () => {
    const missing = await cli(['audit', 'verify', '--digests', path.join(scratch, 'nope.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the digests file/);
    const usage = await cli(['audit', 'verify']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--account is required/);
    const garbage = path.join(scratch, 'garbage.ndjson');
    await writeFile(garbage, 'not json\n{"id": "x"}\n');
    const bad = await cli(['audit', 'verify', '--digests', garbage]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('line 1: not JSON');
    expect(bad.stdout).toContain('line 2: not an audit digest: accountId is not an account id');
  });
});
