import 'reflect-metadata';
import { createHash, createPrivateKey } from 'node:crypto';
import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pg from 'pg';
import { AccountService } from '../../src/accounts/account.service';
import { SessionTokens } from '../../src/auth/session-tokens';
import { loadConfig, type Config } from '../../src/config';
import { openOrm } from '../../src/db/orm';
import type { Plan } from '../../src/entitlements/plans';
import { createApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/shared/logger';
import { createTestDatabase } from './database';

/** Session secret shared by every test instance (the CLI tests pass it as SESSION_SECRET). */
export const TEST_SESSION_SECRET = 'test-session-secret-of-at-least-32-characters';

/**
 * The Ed25519 key that signs audit digests in every test instance and service child (base64 of its PKCS#8 PEM, as
 * AUDIT_SIGNING_KEY takes it), derived from a fixed seed so the CLI tests can pass it on.
 */
export const TEST_AUDIT_SIGNING_KEY = Buffer.from(
  createPrivateKey({
    key: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      createHash('sha256').update('keyledger test audit signing key').digest(),
    ]),
    format: 'der',
    type: 'pkcs8',
  }).export({ type: 'pkcs8', format: 'pem' }) as string,
).toString('base64');

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResult<T> {
  status: number;
  data: T | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
  headers: Headers;
}

/** How a test calls the API: a bearer token, extra headers. */
export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** A bootstrapped account and its OWNER's session token. */
export interface SeededAccount {
  accountId: string;
  userId: string;
  email: string;
  token: string;
}

/** One running service instance on port 0 against the file's database. */
export interface Instance {
  url: string;
  app: App;
  orm: MikroORM;
  /** Every log line the instance wrote. */
  logs: string[];
  /** Calls the GraphQL endpoint with a typed document. */
  call<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    options?: CallOptions,
  ): Promise<GraphQLResult<TResult>>;
  close(): Promise<void>;
}

export interface TestEnv {
  databaseUrl: string;
  /** The first instance. */
  api: Instance;
  /** Starts one more instance on the same database (a second server behind the load balancer). */
  startInstance(overrides?: Record<string, string>): Promise<Instance>;
  /** Plain SQL on the test database (as the superuser). */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Creates an account with an OWNER and returns a session token for them. */
  seedAccount(options?: { plan?: Plan; name?: string }): Promise<SeededAccount>;
  /** A session token for an existing member. */
  tokenFor(accountId: string, userId: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

let seedCounter = 0;

/** Codes of a result's errors, in order. */
export function errorCodes(result: { errors?: GraphQLErrorShape[] | undefined }): string[] {
  return (result.errors ?? []).map((error) => String(error.extensions?.code));
}

async function startInstance(databaseUrl: string, overrides: Record<string, string>): Promise<Instance> {
  // Tests fire many requests from 127.0.0.1: the rate limit gets its own tests (test/ratelimit).
  const config: Config = loadConfig({
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: TEST_SESSION_SECRET,
    AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
    RATE_LIMIT_POINTS: '1000000',
    ...overrides,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const orm = await openOrm(databaseUrl, 5);
  const app = await (
    await createApp({ config, orm, logger, sessionSecret: new TextEncoder().encode(TEST_SESSION_SECRET) })
  ).listen(0, '127.0.0.1');
  let closed = false;
  return {
    url: app.url,
    app,
    orm,
    logs,
    async call(document, variables, options = {}) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
      const body = (await response.json()) as { data?: never; errors?: GraphQLErrorShape[] };
      return { status: response.status, data: body.data, errors: body.errors, headers: response.headers };
    },
    async close() {
      // A test may close an instance itself (a shutdown under test); the environment closes every instance again.
      if (closed) return;
      closed = true;
      await app.close();
      await orm.close();
    },
  };
}

/** A fresh database and a running instance for one test file. */
export async function startTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const database = await createTestDatabase();
  const sessions = new SessionTokens(new TextEncoder().encode(TEST_SESSION_SECRET));
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  // An idle connection ended by the server (e.g. a test terminating backends) must not crash the file.
  pool.on('error', () => undefined);
  const instances: Instance[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    const instance = await startInstance(database.url, { ...overrides, ...extra });
    instances.push(instance);
    return instance;
  };
  const api = await start();
  return {
    databaseUrl: database.url,
    api,
    startInstance: start,
    async sql(text, params) {
      return (await pool.query(text, params)).rows;
    },
    async seedAccount(options = {}) {
      seedCounter += 1;
      const email = `owner${seedCounter}.${Date.now()}@example.test`;
      const { account, user } = await new AccountService().bootstrap(
        api.orm.em.fork(),
        { accountName: options.name ?? `Account ${seedCounter}`, email, plan: options.plan },
        { requestId: `seed-${seedCounter}`, ip: null, userAgent: 'test-seed' },
      );
      const token = await sessions.issue({ userId: user.id, accountId: account.id }, 3600);
      return { accountId: account.id, userId: user.id, email, token };
    },
    tokenFor(accountId, userId, ttlSeconds = 3600) {
      return sessions.issue({ userId, accountId }, ttlSeconds);
    },
    async close() {
      for (const instance of instances) await instance.close();
      await pool.end();
      await database.drop();
    },
  };
}
