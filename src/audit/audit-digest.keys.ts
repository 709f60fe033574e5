import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';

/** File under `DATA_DIR` holding the development signing key (PKCS#8 PEM, mode 0600). */
export const DEV_SIGNING_KEY_FILE = 'audit-signing-key.pem';

/** One published Ed25519 public key, as the JWKS lists it. */
export interface AuditSigningJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** `GET /.well-known/keyledger/audit-signing-keys`. */
export interface AuditSigningJwks {
  keys: AuditSigningJwk[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** A value as the environment may carry it: PEM (with real or `\n`-escaped newlines) or base64 of PEM. */
function pemOf(text: string): string {
  const unescaped = text.trim().replace(/\\n/g, '\n');
  if (unescaped.includes('-----BEGIN')) return unescaped;
  const decoded = Buffer.from(unescaped, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN')) throw new Error('neither PEM nor base64 of PEM');
  return decoded;
}

function assertEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key`);
  return key;
}

/** An Ed25519 private key given as PKCS#8 PEM, or base64 of it; throws saying what it is instead. */
export function parseAuditSigningKey(text: string): KeyObject {
  return assertEd25519(createPrivateKey(pemOf(text)));
}

/**
 * Ed25519 public keys: concatenated PEM blocks (SPKI public keys, or the old private keys), or a comma- or
 * space-separated list of entries that are each base64 of a PEM or the `x` of a JWK the service published.
 */
export function parseRetiredSigningKeys(text: string | undefined): KeyObject[] {
  if (text === undefined || text.trim() === '') return [];
  const unescaped = text.trim().replace(/\\n/g, '\n');
  if (unescaped.includes('-----BEGIN')) {
    return [...unescaped.matchAll(PEM_BLOCK)].map((match) => assertEd25519(createPublicKey(match[0])));
  }
  return unescaped
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const raw = Buffer.from(entry, 'base64url');
      if (raw.length === 32 && /^[A-Za-z0-9_-]{43}$/.test(entry)) {
        return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: entry }, format: 'jwk' });
      }
      return assertEd25519(createPublicKey(pemOf(entry)));
    });
}

/** The key id of a public key: the first 16 hex digits of SHA-256 over its 32 raw bytes. */
export function signingKeyId(publicKey: KeyObject): string {
  const raw = Buffer.from(jwkOf(publicKey).x!, 'base64url');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

function jwkOf(publicKey: KeyObject): JsonWebKey {
  return publicKey.export({ format: 'jwk' });
}

/**
 * The service's audit digest keys: the one that signs new digests (none in production without
 * `AUDIT_SIGNING_KEY`) and every public key published for verification, retired ones included.
 */
export class AuditSigningKeys {
  /** Key id of the signing key; undefined when this key set only verifies. */
  readonly signingKeyId: string | undefined;
  private readonly published = new Map<string, KeyObject>();

  constructor(
    private readonly signingKey: KeyObject | undefined,
    verifyOnly: readonly KeyObject[] = [],
  ) {
    const current = signingKey ? createPublicKey(signingKey) : undefined;
    this.signingKeyId = current ? signingKeyId(current) : undefined;
    for (const key of current ? [current, ...verifyOnly] : verifyOnly) this.published.set(signingKeyId(key), key);
  }

  /** A verify-only key set from a saved JWKS (what a customer kept); Ed25519 keys only, the rest ignored. */
  static fromJwks(jwks: unknown): AuditSigningKeys {
    const keys = (jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) throw new Error('not a JWKS: it has no "keys" array');
    const ed25519 = keys.filter(
      (jwk): jwk is AuditSigningJwk =>
        typeof jwk === 'object' &&
        jwk !== null &&
        jwk.kty === 'OKP' &&
        jwk.crv === 'Ed25519' &&
        typeof jwk.x === 'string',
    );
    return new AuditSigningKeys(
      undefined,
      ed25519.map((jwk) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' })),
    );
  }

  /** Signs `data` (UTF-8) with the current key: base64url Ed25519 signature and the key id. */
  sign(data: string): { keyId: string; signature: string } {
    if (!this.signingKey || !this.signingKeyId) {
      throw new Error('AUDIT_SIGNING_KEY is required to sign audit digests when NODE_ENV=production');
    }
    return {
      keyId: this.signingKeyId,
      signature: sign(null, Buffer.from(data, 'utf8'), this.signingKey).toString('base64url'),
    };
  }

  /** 'ok', 'bad' (no valid signature by that key), or 'unknown-key' (no published key has that id). */
  check(data: string, keyId: string, signature: string): 'ok' | 'bad' | 'unknown-key' {
    const key = this.published.get(keyId);
    if (!key) return 'unknown-key';
    try {
      return verify(null, Buffer.from(data, 'utf8'), key, Buffer.from(signature, 'base64url')) ? 'ok' : 'bad';
    } catch {
      return 'bad';
    }
  }

  /** The published keys as a JWKS (current first, then retired ones). */
  jwks(): AuditSigningJwks {
    return {
      keys: [...this.published].map(([kid, key]) => ({
        kty: 'OKP',
        crv: 'Ed25519',
        x: jwkOf(key).x!,
        kid,
        alg: 'EdDSA',
        use: 'sig',
      })),
    };
  }
}

/**
 * The service's key set from the configuration: `AUDIT_SIGNING_KEY`, or outside production the development key kept
 * in `<DATA_DIR>/audit-signing-key.pem` (generated on first use, mode 0600, as the session secret is), plus
 * `AUDIT_SIGNING_KEYS_RETIRED`. In production without `AUDIT_SIGNING_KEY` nothing is generated or read from
 * `DATA_DIR`: the set only verifies (the service refuses to start so).
 */
export async function loadAuditSigningKeys(config: Config): Promise<AuditSigningKeys> {
  if (config.auditSigningKey || config.production) {
    return new AuditSigningKeys(config.auditSigningKey, config.auditSigningKeysRetired);
  }
  const file = path.join(config.dataDir, DEV_SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    await mkdir(config.dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const key = createPrivateKey(await readFile(file, 'utf8'));
  return new AuditSigningKeys(assertEd25519(key), config.auditSigningKeysRetired);
}
