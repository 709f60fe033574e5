import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { Account } from '../accounts/account.entity';
import { ApiKeyScope, scopeNames } from '../auth/permissions';
import { assertPermission, type Principal } from '../auth/principal';
import { Feature, PLAN_ENTITLEMENTS } from '../entitlements/plans';
import { auditedTransaction, type Caller } from './audit.recorder';
import {
  AUDIT_COLUMNS,
  auditCursorOf,
  auditWhere,
  numbered,
  recordFromRow,
  type AuditEventRecord,
  type AuditFilter,
} from './audit.records';
import { retentionCutoff } from './audit.service';

/** How long a download link stays valid: 15 minutes. */
export const EXPORT_LINK_TTL_MS = 15 * 60_000;
const STREAM_BATCH = 500;
/** Encoded rows are written in chunks of about this many characters, not one write per row. */
const CHUNK_CHARS = 64 * 1024;

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

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'actorDisplay',
  'actorScopes',
  'targetType',
  'targetId',
  'targetDisplay',
  'changes',
  'metadata',
  'ip',
  'userAgent',
  'requestId',
  'prevHash',
  'hash',
] as const;

/** The exported shape of an event: the GraphQL AuditEvent's fields, flat where CSV needs it. */
function exportedEvent(event: AuditEventRecord): Record<string, unknown> {
  return {
    id: event.id,
    seq: event.seq,
    cursor: auditCursorOf(event.seq),
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actor: {
      type: event.actorType,
      id: event.actorId,
      display: event.actorDisplay,
      scopes: event.actorScopes ? scopeNames(event.actorScopes) : null,
    },
    target: event.targetType ? { type: event.targetType, id: event.targetId, display: event.targetDisplay } : null,
    changes: event.changes,
    metadata: event.metadata,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

/** One CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(event: AuditEventRecord): string {
  // Same order as CSV_COLUMNS.
  return `${[
    String(event.seq),
    event.id,
    event.occurredAt.toISOString(),
    csvField(event.action),
    event.outcome,
    event.actorType,
    csvField(event.actorId),
    csvField(event.actorDisplay),
    event.actorScopes ? scopeNames(event.actorScopes).join(' ') : '',
    csvField(event.targetType),
    csvField(event.targetId),
    csvField(event.targetDisplay),
    csvField(event.changes),
    csvField(event.metadata),
    csvField(event.ip),
    csvField(event.userAgent),
    csvField(event.requestId),
    event.prevHash,
    event.hash,
  ].join(',')}\r\n`;
}

/**
 * Audit exports: a record of what was asked for, a signed short-lived link,
 * and a download that streams rows from a PostgreSQL cursor in constant memory.
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
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
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
    res.writeHead(200, {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="audit-log-${id}.${csv ? 'csv' : 'ndjson'}"`,
      'cache-control': 'no-store',
    });

    const knex = connection.getKnex();
    const client = (await knex.client.acquireConnection()) as PoolClient;
    try {
      const query = new QueryStream(
        numbered(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql} ORDER BY seq ASC`),
        where.params,
        {
          batchSize: STREAM_BATCH,
        },
      );
      const rows = client.query(query);
      let chunk = csv ? `${CSV_COLUMNS.join(',')}\r\n` : '';
      const encode = new Transform({
        writableObjectMode: true,
        readableObjectMode: false,
        transform(raw: Record<string, unknown>, _encoding, done) {
          const event = recordFromRow(raw);
          chunk += csv ? csvLine(event) : `${JSON.stringify(exportedEvent(event))}\n`;
          if (chunk.length < CHUNK_CHARS) return done();
          const full = chunk;
          chunk = '';
          done(null, full);
        },
        flush(done) {
          done(null, chunk.length > 0 ? chunk : undefined);
        },
      });
      await pipeline(rows, encode, res);
    } finally {
      await knex.client.releaseConnection(client);
    }
  }
}
