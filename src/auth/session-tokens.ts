import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config';
import { UnauthenticatedError } from '../server/errors';

/** The claims keyledger reads from a session token. */
export interface SessionClaims {
  userId: string;
  accountId: string;
}

const ISSUER = 'keyledger';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads `SESSION_SECRET`, or outside production the development secret kept in
 * `<DATA_DIR>/session-secret` (generated on first use), so the CLI and the
 * service sign and verify with the same key.
 */
export async function loadSessionSecret(config: Config): Promise<Uint8Array> {
  if (config.sessionSecret) return new TextEncoder().encode(config.sessionSecret);
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

/** Issues and verifies session JWTs: HS256 with the session secret, or an identity provider's JWKS. */
export class SessionTokens {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly secret: Uint8Array,
    private readonly options: { jwksUrl?: string; jwtIssuer?: string } = {},
  ) {
    this.jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  }

  /** A signed session token for a member, valid for `ttlSeconds`. */
  async issue(claims: SessionClaims, ttlSeconds: number): Promise<string> {
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
      if (alg === 'HS256') {
        ({ payload } = await jwtVerify(token, this.secret, {
          issuer: ISSUER,
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
        }));
      } else if (this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { issuer: this.options.jwtIssuer, requiredClaims: ['exp'] }));
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
