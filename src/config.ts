import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { parseAuditSigningKey, parseRetiredSigningKeys } from './audit/audit-digest.keys';
import { parseTrustProxy, type TrustProxy } from './ratelimit/client-ip';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './shared/query-limits';

/** Raised when an environment variable has an invalid value; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Config {
  /** `NODE_ENV`. @default "development" */
  nodeEnv: string;
  /** `HOST`. @default "127.0.0.1" */
  host: string;
  /** `PORT` (0 picks a free port). @default 4000 */
  port: number;
  /** `DATABASE_URL`; when unset an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** `DATA_DIR`: embedded PostgreSQL data and the development session secret. @default "./.data" */
  dataDir: string;
  /**
   * `SESSION_SECRET` (HS256, at least 32 characters); generated into `dataDir` outside production when unset. In
   * production without it (then `JWKS_URL` is required) no HS256 token is accepted.
   */
  sessionSecret: string | undefined;
  /** `JWKS_URL`: verify RS256/ES256-signed session tokens of an external identity provider; https outside development. */
  jwksUrl: string | undefined;
  /** `JWT_ISSUER`: required `iss` of tokens verified through `JWKS_URL`. */
  jwtIssuer: string | undefined;
  /** `JWT_AUDIENCE`: required `aud` of tokens verified through `JWKS_URL` (this service's identifier at the provider). */
  jwtAudience: string | undefined;
  /** `LOG_LEVEL`. @default "info" */
  logLevel: string;
  /** `GRAPHQL_INTROSPECTION`. @default true outside production */
  introspection: boolean;
  /** `DB_POOL_MAX`: connections per instance. @default 10 */
  dbPoolMax: number;
  /**
   * `PUBLIC_URL`: base of links the service hands out (export downloads, sign-in links); required when
   * NODE_ENV=production. https marks the session cookie `Secure`; its origin is the only one whose WebSocket
   * upgrades may be authenticated by the session cookie.
   * @default the address the service listens on (never the request's Host header)
   */
  publicUrl: string | undefined;
  /** `EXPORT_MAX_CONCURRENT`: export downloads served at once per instance, each on its own connection. @default 2 */
  exportMaxConcurrent: number;
  /** `EXPORT_IDLE_TIMEOUT_MS`: an export download whose reader takes nothing for this long is cut off. @default 30000 */
  exportIdleTimeoutMs: number;
  /**
   * `AUDIT_PURGE_INTERVAL_MINUTES`: how often the audit job runs (signs digests for accounts with new events, then
   * purges expired events); 0 turns it off. @default 60
   */
  auditPurgeIntervalMinutes: number;
  /**
   * `AUDIT_SIGNING_KEY`: Ed25519 private key (PKCS#8 PEM, or base64 of it) that signs audit digests; outside
   * production one is generated into `dataDir` when unset; the service requires it in production.
   */
  auditSigningKey: KeyObject | undefined;
  /** `AUDIT_SIGNING_KEYS_RETIRED`: older public keys still published so the digests they signed verify. @default none */
  auditSigningKeysRetired: KeyObject[];
  /** `WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`. @default 10 */
  maxSubscriptionsPerConnection: number;
  /** `WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT`: per account on one instance. @default 100 */
  maxSubscriptionsPerAccount: number;
  /** `SUBSCRIPTION_QUEUE_LIMIT`: undelivered events before a slow subscriber is disconnected. @default 1000 */
  subscriptionQueueLimit: number;
  /** `WS_MAX_CONNECTIONS_PER_IP`: open WebSocket sockets per client address (IPv6 per /64), authenticated or not. @default 50 */
  wsMaxConnectionsPerIp: number;
  /** `WS_MAX_CONNECTIONS`: open WebSocket sockets on this instance. @default 10000 */
  wsMaxConnections: number;
  /** `METRICS_TOKEN` (at least 16 characters): bearer token that reads `/metrics`; without it `/metrics` answers 404. */
  metricsToken: string | undefined;
  /** `WS_REVALIDATE_MS`: how often live connections re-check their credentials, role and plan. @default 2000 */
  wsRevalidateMs: number;
  /** `RATE_LIMIT_ENABLED`: turn the limiter off only to measure what it costs (benchmarks). @default true */
  rateLimitEnabled: boolean;
  /** `RATE_LIMIT_POINTS`: requests per client IP per window, shared by all instances. @default 800 */
  rateLimitPoints: number;
  /** `RATE_LIMIT_WINDOW_SECONDS`. @default 60 */
  rateLimitWindowSeconds: number;
  /** `REDIS_URL`: use Redis as the rate-limit store instead of PostgreSQL. */
  redisUrl: string | undefined;
  /** `TRUST_PROXY`: proxy hops (a number) or proxy CIDRs whose X-Forwarded-For is believed. @default none */
  trustProxy: TrustProxy;
  /** `GRAPHQL_MAX_DEPTH`, `GRAPHQL_MAX_COST`, `GRAPHQL_MAX_ALIASES`, `GRAPHQL_MAX_DIRECTIVES`, `GRAPHQL_MAX_TOKENS`. */
  queryLimits: QueryLimits;
  /** True when NODE_ENV=production: no field suggestions, no introspection unless asked for. */
  production: boolean;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got an unparsable value`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return raw;
}

/** Reads and validates the environment once; every other module receives the result. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV || 'development';
  const production = nodeEnv === 'production';
  const sessionSecret = env.SESSION_SECRET || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  }
  if (production && !sessionSecret && !env.JWKS_URL) {
    throw new ConfigError('SESSION_SECRET (or JWKS_URL) is required when NODE_ENV=production');
  }
  // Plain http for the key set only against a local identity provider while developing or testing.
  const localIdp = nodeEnv === 'development' || nodeEnv === 'test';
  const jwksUrl = readUrl(env, 'JWKS_URL', localIdp ? ['https:', 'http:'] : ['https:']);
  const jwtIssuer = env.JWT_ISSUER || undefined;
  if (jwksUrl && !jwtIssuer) throw new ConfigError('JWT_ISSUER is required when JWKS_URL is set');
  const jwtAudience = env.JWT_AUDIENCE || undefined;
  if (jwksUrl && !jwtAudience) throw new ConfigError('JWT_AUDIENCE is required when JWKS_URL is set');
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  }
  const publicUrl = readUrl(env, 'PUBLIC_URL', ['https:', 'http:'])?.replace(/\/+$/, '');
  if (production && !publicUrl) {
    throw new ConfigError('PUBLIC_URL (the base URL of export download links) is required when NODE_ENV=production');
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  return {
    nodeEnv,
    host: env.HOST || '127.0.0.1',
    port: readInt(env, 'PORT', 4000, 0, 65535),
    databaseUrl: readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    sessionSecret,
    jwksUrl,
    jwtIssuer,
    jwtAudience,
    logLevel,
    introspection: readBool(env, 'GRAPHQL_INTROSPECTION', !production),
    dbPoolMax: readInt(env, 'DB_POOL_MAX', 10, 1, 200),
    publicUrl,
    exportMaxConcurrent: readInt(env, 'EXPORT_MAX_CONCURRENT', 2, 1, 100),
    exportIdleTimeoutMs: readInt(env, 'EXPORT_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    auditPurgeIntervalMinutes: readInt(env, 'AUDIT_PURGE_INTERVAL_MINUTES', 60, 0, 10_080),
    auditSigningKey: readSigningKey(env),
    auditSigningKeysRetired: readRetiredSigningKeys(env),
    maxSubscriptionsPerConnection: readInt(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 10, 1, 1000),
    maxSubscriptionsPerAccount: readInt(env, 'WS_MAX_SUBSCRIPTIONS_PER_ACCOUNT', 100, 1, 100_000),
    subscriptionQueueLimit: readInt(env, 'SUBSCRIPTION_QUEUE_LIMIT', 1000, 1, 1_000_000),
    wsMaxConnectionsPerIp: readInt(env, 'WS_MAX_CONNECTIONS_PER_IP', 50, 1, 1_000_000),
    wsMaxConnections: readInt(env, 'WS_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    metricsToken,
    wsRevalidateMs: readInt(env, 'WS_REVALIDATE_MS', 2000, 100, 60_000),
    rateLimitEnabled: readBool(env, 'RATE_LIMIT_ENABLED', true),
    rateLimitPoints: readInt(env, 'RATE_LIMIT_POINTS', 800, 1, 10_000_000),
    rateLimitWindowSeconds: readInt(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    trustProxy: readTrustProxy(env),
    queryLimits: {
      maxDepth: readInt(env, 'GRAPHQL_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth, 1, 1000),
      maxCost: readInt(env, 'GRAPHQL_MAX_COST', DEFAULT_QUERY_LIMITS.maxCost, 1, 100_000_000),
      maxAliases: readInt(env, 'GRAPHQL_MAX_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases, 0, 10_000),
      maxDirectives: readInt(env, 'GRAPHQL_MAX_DIRECTIVES', DEFAULT_QUERY_LIMITS.maxDirectives, 0, 10_000),
      maxTokens: readInt(env, 'GRAPHQL_MAX_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens, 10, 1_000_000),
    },
    production,
  };
}

function readSigningKey(env: Env): KeyObject | undefined {
  if (!env.AUDIT_SIGNING_KEY) return undefined;
  try {
    return parseAuditSigningKey(env.AUDIT_SIGNING_KEY);
  } catch (error) {
    throw new ConfigError(
      `AUDIT_SIGNING_KEY must be an Ed25519 private key (PKCS#8 PEM, or base64 of it): ${(error as Error).message}`,
    );
  }
}

function readRetiredSigningKeys(env: Env): KeyObject[] {
  try {
    return parseRetiredSigningKeys(env.AUDIT_SIGNING_KEYS_RETIRED);
  } catch (error) {
    throw new ConfigError(
      `AUDIT_SIGNING_KEYS_RETIRED must list Ed25519 public keys (PEM, base64 of PEM, or JWK "x" values): ${(error as Error).message}`,
    );
  }
}

/**
 * The service signs audit digests: in production it refuses to start without `AUDIT_SIGNING_KEY` (the CLI, which
 * only verifies them, does not need it).
 */
export function requireAuditSigningKey(config: Config): void {
  if (config.production && !config.auditSigningKey) {
    throw new ConfigError(
      'AUDIT_SIGNING_KEY (the Ed25519 private key, PKCS#8 PEM, that signs audit digests) is required when NODE_ENV=production',
    );
  }
}

function readTrustProxy(env: Env): TrustProxy {
  try {
    return parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    throw new ConfigError(`TRUST_PROXY must be a number of hops or a list of proxy CIDRs: ${(error as Error).message}`);
  }
}
