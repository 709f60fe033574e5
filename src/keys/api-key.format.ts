import { createHash, randomInt } from 'node:crypto';

/** Prefix of every live key; secret scanners match on it. */
export const API_KEY_PREFIX = 'kl_live_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 30 base62 characters carry 178 bits of randomness. */
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

function checksumOf(random: string): string {
  return toBase62(crc32(random), CHECKSUM_LENGTH);
}

/** A new secret: prefix, random part, and a CRC32 checksum of the random part (GitHub's token shape). */
export function generateApiKeySecret(): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += BASE62[randomInt(62)];
  return `${API_KEY_PREFIX}${random}${checksumOf(random)}`;
}

/** True when `token` carries the key prefix, so it must be treated as an API key. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('kl_');
}

/** True when `token` has the key shape and a correct checksum; checked before any database lookup. */
export function isWellFormedApiKey(token: string): boolean {
  if (!KEY_PATTERN.test(token)) return false;
  const body = token.slice(API_KEY_PREFIX.length);
  return checksumOf(body.slice(0, RANDOM_LENGTH)) === body.slice(RANDOM_LENGTH);
}

/** Hex SHA-256 of the secret: the only form of it that is stored. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Non-secret hint, e.g. `kl_live_Ab12…wxyz`: 4 characters of the random part and the last 4. */
export function displayKeyOf(secret: string): string {
  const body = secret.slice(API_KEY_PREFIX.length);
  return `${API_KEY_PREFIX}${body.slice(0, 4)}…${body.slice(-4)}`;
}
