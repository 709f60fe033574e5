import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { EntitlementRequiredError, assertPlanIncludes } from '../entitlements/entitlement.check';
import { Feature, type Plan } from '../entitlements/plans';
import { ErrorCode } from '../shared/errors';
import { isUuid } from '../shared/validation';
import { auditedTransaction, type Caller } from './audit.recorder';
import { CSV_HEADER, CsvRowEncoder, csvExportCopy } from './audit-export.csv';
import { ExportDownloadError, type ExportLinks } from './audit-export.links';
import { NdjsonRowEncoder, ndjsonExportCopy } from './audit-export.ndjson';
import { auditWhere, type AuditFilter } from './audit.records';
import { retentionCutoff } from './audit.service';
import { CopyOutStream } from './copy-out.stream';

/** Errors of a response whose client went away before it was sent whole. */
const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

/** How long a download link stays valid: 15 minutes. */
export const EXPORT_LINK_TTL_MS = 15 * 60_000;

/** `Retry-After` of a download refused because every slot is taken. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Spends a link: its export's expiry becomes now, once. The clock is read again when a concurrent download's
 * update is re-checked, so two downloads of one link cannot both pass.
 */
const CLAIM_EXPORT = `UPDATE audit_exports SET expires_at = clock_timestamp()
  WHERE id = $1 AND account_id = $2 AND expires_at > clock_timestamp() RETURNING format, filter`;

export type ExportFormat = 'NDJSON' | 'CSV';

export interface CreatedExport {
  id: string;
  format: ExportFormat;
  downloadUrl: string;
  expiresAt: Date;
}

/** How an instance serves downloads. */
export interface ExportDownloadOptions {
  /** The database the downloads' own connection pool connects to. */
  databaseUrl: string;
  /** `EXPORT_MAX_CONCURRENT`: downloads served at once; one more is refused with 503 EXPORTS_BUSY. @default 2 */
  maxConcurrent: number;
  /** `EXPORT_IDLE_TIMEOUT_MS`: a download whose reader takes nothing for this long is cut off. @default 30000 */
  idleTimeoutMs: number;
}

/** How a download that started ended: sent whole, ended by the client, or cut off for not reading. */
export type DownloadOutcome = 'complete' | 'aborted' | 'idle';

/**
 * Audit exports: a record of what was asked for, a signed short-lived link,
 * and a download that streams the rows PostgreSQL encodes (COPY) in constant memory.
 */
export class AuditExportService {
  /** The downloads' own connections: a download never takes one of the ORM's, whatever its reader does. */
  private readonly pool: pg.Pool;
  private active = 0;

  constructor(
    private readonly links: ExportLinks,
    private readonly options: ExportDownloadOptions,
  ) {
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConcurrent,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      application_name: 'keyledger export',
    });
    // An idle connection the server ended: the pool drops it and opens another when needed.
    this.pool.on('error', () => undefined);
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
        downloadUrl: `${baseUrl}${this.links.path(principal.accountId, id, expiresAt)}`,
        expiresAt,
      };
    });
  }

  /**
   * Streams export `id` to `res` if `sig` is a valid link to it and the export has not expired nor been downloaded:
   * a link downloads once. Throws ExportDownloadError before any byte is written: 403 (bad or spent link, plan
   * without exports), 404, or 503 EXPORTS_BUSY when `maxConcurrent` downloads are running (never queued).
   */
  async download(id: string, sig: string | null, res: ServerResponse): Promise<DownloadOutcome> {
    const accountId = this.links.verify(id, sig);
    if (!isUuid(id)) throw new ExportDownloadError(404, ErrorCode.NOT_FOUND, 'export not found');
    if (this.active >= this.options.maxConcurrent) {
      throw new ExportDownloadError(
        503,
        ErrorCode.EXPORTS_BUSY,
        'too many export downloads are running; retry later',
        BUSY_RETRY_AFTER_SECONDS,
      );
    }
    this.active += 1;
    try {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        const rows = await this.claim(client, id, accountId, res);
        const outcome = await this.stream(rows, client, res).catch((error: unknown) => {
          broken = error as Error;
          throw error;
        });
        // A COPY cannot be stopped midway (the download was aborted or cut off): drop the connection.
        if (outcome !== 'complete') broken = new Error(`export download ${outcome}`);
        return outcome;
      } finally {
        client.release(broken);
      }
    } finally {
      this.active -= 1;
    }
  }

  /** Ends the downloads' pool once every download has ended. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Checks the plan, spends the link and writes the response head; the rows to send. */
  private async claim(client: pg.PoolClient, id: string, accountId: string, res: ServerResponse) {
    const [account] = (await client.query<{ plan: Plan }>('SELECT plan FROM accounts WHERE id = $1', [accountId])).rows;
    if (!account) throw new ExportDownloadError(404, ErrorCode.NOT_FOUND, 'export not found');
    try {
      assertPlanIncludes(account.plan, Feature.AUDIT_EXPORT);
    } catch (error) {
      if (!(error instanceof EntitlementRequiredError)) throw error;
      throw new ExportDownloadError(403, ErrorCode.ENTITLEMENT_REQUIRED, error.message);
    }
    const claimed = await client.query<{ format: ExportFormat; filter: AuditFilter | null }>(CLAIM_EXPORT, [
      id,
      accountId,
    ]);
    const [row] = claimed.rows;
    if (!row) {
      const known = await client.query('SELECT 1 FROM audit_exports WHERE id = $1 AND account_id = $2', [
        id,
        accountId,
      ]);
      if (known.rowCount === 0) throw new ExportDownloadError(404, ErrorCode.NOT_FOUND, 'export not found');
      throw new ExportDownloadError(
        403,
        ErrorCode.FORBIDDEN,
        'this download link has expired or was already used; create a new export',
      );
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
    res.writeHead(200, {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="audit-log-${id}.${csv ? 'csv' : 'ndjson'}"`,
      'cache-control': 'no-store',
    });
    return csv
      ? new CopyOutStream(csvExportCopy(where), new CsvRowEncoder(), CSV_HEADER)
      : new CopyOutStream(ndjsonExportCopy(where), new NdjsonRowEncoder());
  }

  /** One COPY statement: one snapshot of the log, streamed as PostgreSQL sends it and as fast as `res` takes it. */
  private async stream(rows: CopyOutStream, client: pg.PoolClient, res: ServerResponse): Promise<DownloadOutcome> {
    let idle = false;
    // No traffic on the socket for idleTimeoutMs with bytes waiting to go out: the reader has stopped reading.
    // (With none waiting, PostgreSQL is still looking for rows; the timer starts again with the next write.)
    res.setTimeout(this.options.idleTimeoutMs, () => {
      if (res.writableLength === 0) return;
      idle = true;
      res.destroy();
    });
    try {
      await pipeline(client.query(rows), res);
      return 'complete';
    } catch (error) {
      if (idle) return 'idle';
      if (CLIENT_GONE.has((error as { code?: string }).code ?? '')) return 'aborted';
      throw error;
    }
  }
}
