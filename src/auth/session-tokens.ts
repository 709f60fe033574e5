import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError, type Config } from '../config';
import { UnauthenticatedError } from '../shared/errors';

/** The claims keyledger reads from a session token. */
export interface SessionClaims {
  userId: string;
  accountId: string;
}

const ISSUER = 'keyledger';
/** The only algorithms accepted from an identity provider, whatever its key set says. */
const PROVIDER_ALGORITHMS = ['RS256', 'ES256'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads `SESSION_SECRET`, or outside production the development secret kept in
 * `<DATA_DIR>/session-secret` (generated on first use), so the CLI and the
 * service sign and verify with the same key. Undefined in production without
 * `SESSION_SECRET`: nothing is generated, read from `DATA_DIR` or accepted.
 */
export async function loadSessionSecret(config: Config): Promise<Uint8Array | undefined> {
  if (config.sessionSecret) return new TextEncoder().encode(config.sessionSecret);
  if (config.production) return undefined;
  const file = path.join(config.dataDir, 'session-secret');
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      },
    );
  }
  return new TextEncoder().encode((await readFile(file, 'utf8')).trim());
}

/** What `SessionTokens` reads of the configuration. */
export type SessionTokenOptions = Partial<
  Pick<Config, 'jwksUrl' | 'jwtIssuer' | 'jwtAudience' | 'production' | 'sessionSecret'>
>;

/** Issues and verifies session JWTs: HS256 with the session secret, or RS256/ES256 of an identity provider's JWKS. */
export class SessionTokens {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  /** The HS256 key; undefined when HS256 tokens are neither issued nor accepted. */
  private readonly secret: Uint8Array | undefined;

  /**
   * `secret` signs and verifies HS256 tokens, except in production without `SESSION_SECRET`: there a secret nobody
   * configured (generated, or left in `DATA_DIR`) must not let anyone mint tokens, so HS256 is refused outright.
   */
  constructor(
    secret: Uint8Array | undefined,
    private readonly options: SessionTokenOptions = {},
  ) {
    this.secret = options.production && !options.sessionSecret ? undefined : secret;
    this.jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  }

  /** True when this instance can issue tokens (it has an HS256 secret). */
  get canIssue(): boolean {
    return this.secret !== undefined;
  }

  /** A signed session token for a member, valid for `ttlSeconds`; needs `SESSION_SECRET` in production. */
  async issue(claims: SessionClaims, ttlSeconds: number): Promise<string> {
    if (!this.secret) {
      throw new ConfigError(
        'SESSION_SECRET is required to issue session tokens when NODE_ENV=production (with only JWKS_URL, the identity provider issues them)',
      );
    }
    return new SignJWT({ acct: claims.accountId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.secret);
  }

  /** Verifies signature, issuer and expiry; throws UNAUTHENTICATED otherwise. */
  async verify(token: string): Promise<SessionClaims> {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
        }));
      } else if (this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, {
          issuer: this.options.jwtIssuer,
          audience: this.options.jwtAudience,
          algorithms: PROVIDER_ALGORITHMS,
          requiredClaims: ['exp'],
        }));
      } else {
        throw new Error('unsupported algorithm');
      }
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new UnauthenticatedError(expired ? 'Session token has expired' : 'Invalid session token');
    }
    const userId = payload.sub;
    const accountId = payload.acct;
    if (typeof userId !== 'string' || !UUID.test(userId) || typeof accountId !== 'string' || !UUID.test(accountId)) {
      throw new UnauthenticatedError('Session token lacks valid "sub" and "acct" claims');
    }
    return { userId, accountId };
  }
}

/** Parses a duration such as `90s`, `30m`, `1h`, `7d` (or plain seconds) into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (use e.g. 30m, 1h, 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error('duration must be positive');
  return seconds;
}
