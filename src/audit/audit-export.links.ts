import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../shared/errors';

/** Why a download was refused, before any byte of it was sent: the HTTP status, a code and a message. */
export class ExportDownloadError extends Error {
  constructor(
    readonly status: 403 | 404 | 503,
    readonly code: ErrorCode,
    message: string,
    /** Seconds to wait before trying again (503 only). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * Signed download links: `/exports/<id>?sig=<account>.<expiry>.<mac>`, the MAC covering the account, the export
 * id and the expiry (Unix seconds), under a key derived from the service's session secret.
 */
export class ExportLinks {
  private readonly key: Buffer;

  /** `secret` is the service's session secret; the link key is derived from it. */
  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', Buffer.from(secret)).update('keyledger audit export links').digest();
  }

  /** Path and signature of a download link for export `id` of `accountId`, valid until `expiresAt`. */
  path(accountId: string, id: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return `/exports/${id}?sig=${accountId}.${expires}.${this.mac(accountId, id, expires)}`;
  }

  /**
   * The account whose link to export `id` `sig` is; throws ExportDownloadError (403) when the signature does not
   * match this id or has expired.
   */
  verify(id: string, sig: string | null): string {
    const [accountId, expires, mac, ...rest] = (sig ?? '').split('.');
    if (!accountId || !expires || !mac || rest.length > 0 || !/^\d{1,12}$/.test(expires)) throw invalidSignature();
    const expected = Buffer.from(this.mac(accountId, id, Number(expires)));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidSignature();
    if (Number(expires) * 1000 <= Date.now()) {
      throw new ExportDownloadError(403, ErrorCode.FORBIDDEN, 'this download link has expired');
    }
    return accountId;
  }

  private mac(accountId: string, id: string, expiresAtSeconds: number): string {
    return createHmac('sha256', this.key).update(`${accountId}.${id}.${expiresAtSeconds}`).digest('base64url');
  }
}

function invalidSignature(): ExportDownloadError {
  return new ExportDownloadError(403, ErrorCode.FORBIDDEN, 'invalid signature');
}
