import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Account } from '../accounts/account.entity';
import { withPooledConnection } from '../db/sql';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { Feature, PLAN_ENTITLEMENTS } from '../entitlements/plans';
import { isUuid } from '../server/validation';
import { auditedTransaction, type Caller } from './audit.recorder';
import { CSV_HEADER, CsvRowEncoder, csvExportCopy } from './audit-export.csv';
import { ndjsonExportCopy } from './audit-export.sql';
import { auditWhere, type AuditFilter } from './audit.records';
import { retentionCutoff } from './audit.service';
import { CopyOutStream, ROWS_AS_IS } from './copy-out.stream';

/** How long a download link stays valid: 15 minutes. */
export const EXPORT_LINK_TTL_MS = 15 * 60_000;

export type ExportFormat = 'NDJSON' | 'CSV';

export interface CreatedExport {
  id: string;
  format: ExportFormat;
  downloadUrl: string;
  expiresAt: Date;
}

/** Why a download was refused: the HTTP status and a message. */
export class ExportDownloadError extends Error {
  constructor(
    readonly status: 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Audit exports: a record of what was asked for, a signed short-lived link,
 * and a download that streams the rows PostgreSQL encodes (COPY) in constant memory.
 */
export class AuditExportService {
  private readonly key: Buffer;

  /** `secret` is the service's session secret; the link key is derived from it. */
  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', Buffer.from(secret)).update('keyledger audit export links').digest();
  }

  /** Records the export (and an `audit.exported` event) and returns its signed link. */
  async create(
    em: EntityManager,
    caller: Caller & { principal: Principal },
    input: { filter?: AuditFilter | null; format: ExportFormat },
    baseUrl: string,
  ): Promise<CreatedExport> {
    const { principal } = caller;
    return auditedTransaction(em, caller, async (tx, audit) => {
      assertPermission(principal, ApiKeyScope.AUDIT_EXPORT, {
        action: 'audit.exported',
        target: { type: 'audit_export' },
      });
      auditWhere(principal.accountId, input.filter); // validates the filter before anything is written
      const id = randomUUID();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + EXPORT_LINK_TTL_MS);
      const filter = input.filter ? (JSON.parse(JSON.stringify(input.filter)) as Record<string, unknown>) : null;
      await tx.execute(
        'INSERT INTO audit_exports (id, account_id, format, filter, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        [id, principal.accountId, input.format, filter ? JSON.stringify(filter) : null, now, expiresAt],
      );
      await audit({
        action: 'audit.exported',
        target: { type: 'audit_export', id },
        metadata: { format: input.format, filter },
      });
      return {
        id,
        format: input.format,
        downloadUrl: `${baseUrl}${this.downloadPath(principal.accountId, id, expiresAt)}`,
        expiresAt,
      };
    });
  }

  /** Path and signature of a download link for export `id` of `accountId`, valid until `expiresAt`. */
  downloadPath(accountId: string, id: string, expiresAt: Date): string {
    return `/exports/${id}?sig=${this.sign(accountId, Math.floor(expiresAt.getTime() / 1000))}`;
  }

  /** `<account>.<expiry>.<mac>`: the link is good for one account's exports until its expiry. */
  private sign(accountId: string, expiresAtSeconds: number): string {
    const mac = createHmac('sha256', this.key).update(`${accountId}.${expiresAtSeconds}`).digest('base64url');
    return `${accountId}.${expiresAtSeconds}.${mac}`;
  }

  private verify(sig: string | null): string {
    const [accountId, expires, mac] = (sig ?? '').split('.');
    if (!accountId || !expires || !mac || !/^\d+$/.test(expires))
      throw new ExportDownloadError(403, 'invalid signature');
    const expected = Buffer.from(this.sign(accountId, Number(expires)).split('.')[2]!);
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ExportDownloadError(403, 'invalid signature');
    }
    if (Number(expires) * 1000 <= Date.now()) throw new ExportDownloadError(403, 'this download link has expired');
    return accountId;
  }

  /**
   * Streams export `id` to `res` if `sig` is a valid, unexpired link of the
   * export's account; throws ExportDownloadError (403/404) before any byte is written.
   */
  async download(orm: MikroORM, id: string, sig: string | null, res: ServerResponse): Promise<void> {
    const accountId = this.verify(sig);
    const connection = orm.em.getConnection();
    const [row] = isUuid(id)
      ? await connection.execute<{ format: ExportFormat; filter: AuditFilter | null }[]>(
          'SELECT format, filter FROM audit_exports WHERE id = ? AND account_id = ?',
          [id, accountId],
        )
      : [];
    if (!row) throw new ExportDownloadError(404, 'export not found');
    const account = await orm.em.fork().findOne(Account, accountId);
    if (!account || !PLAN_ENTITLEMENTS[account.plan].features.includes(Feature.AUDIT_EXPORT)) {
      throw new ExportDownloadError(403, 'the account’s plan no longer includes audit export');
    }
    const filter = row.filter
      ? {
          ...row.filter,
          occurredAfter: row.filter.occurredAfter ? new Date(row.filter.occurredAfter) : null,
          occurredBefore: row.filter.occurredBefore ? new Date(row.filter.occurredBefore) : null,
        }
      : null;
    const where = auditWhere(accountId, filter, retentionCutoff(account.plan));
    const csv = row.format === 'CSV';
    const rows = csv
      ? new CopyOutStream(csvExportCopy(where), new CsvRowEncoder(), CSV_HEADER)
      : new CopyOutStream(ndjsonExportCopy(where), ROWS_AS_IS);
    res.writeHead(200, {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="audit-log-${id}.${csv ? 'csv' : 'ndjson'}"`,
      'cache-control': 'no-store',
    });

    // One COPY statement: one snapshot of the log, streamed as PostgreSQL sends it.
    await withPooledConnection(orm.em, async (client) => {
      try {
        await pipeline(client.query(rows), res);
      } catch (error) {
        // A COPY cannot be stopped midway (say, the download was aborted): drop the connection, the pool replaces it.
        await client.end();
        throw error;
      }
    });
  }
}
