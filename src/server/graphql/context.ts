import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccountService } from '../../accounts/account.service';
import type { Principal } from '../../auth/principal';
import type { Caller, RequestMeta } from '../../audit/audit.recorder';
import type { AuditDigestService } from '../../audit/audit-digest.service';
import type { AuditExportService } from '../../audit/audit-export.service';
import type { AuditIngestService } from '../../audit/audit-ingest.service';
import type { AuditReviewService } from '../../audit/audit-review.service';
import type { AuditFeed } from '../../audit/audit-feed';
import type { AuditService } from '../../audit/audit.service';
import type { Plan } from '../../entitlements/plans';
import type { ApiKeyService } from '../../keys/api-key.service';
import type { KeyUsageTracker } from '../../keys/key-usage';
import type { SessionService } from '../../sessions/session.service';
import { AppError, ErrorCode, UnauthenticatedError } from '../../shared/errors';
import type { Metrics } from '../metrics';

/** Stateless feature services, created once per process. */
export interface Services {
  accounts: AccountService;
  keys: ApiKeyService;
  /** API key usage counting (batched off the request path); `flush()` writes what was counted. */
  keyUsage: KeyUsageTracker;
  audit: AuditService;
  /** Login links and the settings pages' cookie sessions. */
  sessions: SessionService;
  /** Events from the host product (`recordAuditEvents`). */
  ingest: AuditIngestService;
  /** The review of the audit log: reviewers, important actions, how far it got. */
  review: AuditReviewService;
  exports: AuditExportService;
  /** Signed digests of the audit chains, and the keys that sign them. */
  digests: AuditDigestService;
  feed: AuditFeed;
  metrics: Metrics;
  /** Called after a transaction that appended audit events commits (built in `createApp`). */
  onAuditCommitted: NonNullable<Caller['onCommitted']>;
}

/** What every resolver receives, for HTTP and WebSocket alike. */
export interface Context {
  /** A fresh fork per request or per subscription operation, made when first read. */
  em: EntityManager;
  /**
   * The ORM's root EntityManager, for plain statements on a pooled connection (`queryRows`) and
   * services that fork for themselves (createApiKey, updateAccountSettings): a request that needs no
   * unit of work then costs no fork. Its entity methods throw (no global context).
   */
  pooled: EntityManager;
  principal: Principal | null;
  meta: RequestMeta;
  services: Services;
  /** The account's current plan, read once per request (so a plan change applies on the next one). */
  plan(): Promise<Plan>;
  /** Public base URL of this service, for links such as export downloads. */
  baseUrl: string;
  /** Set for graphql-ws operations: closes the caller's socket. */
  connection?: { close(code: number, reason: string): void };
  /** The HTTP response's headers (set by `responseHeadersPlugin`); absent over WebSocket. */
  responseHeaders?: { set(name: string, value: string): unknown };
}

/** The HTTP response's headers, or BAD_REQUEST for an operation that must go over HTTP (it sets a cookie). */
export function responseHeadersOf(ctx: Context): NonNullable<Context['responseHeaders']> {
  if (!ctx.responseHeaders) {
    throw new AppError(ErrorCode.BAD_REQUEST, 'Send this operation over HTTP: its answer sets a cookie');
  }
  return ctx.responseHeaders;
}

/** The authenticated caller, or UNAUTHENTICATED. */
export function callerOf(ctx: Context): Caller & { principal: Principal } {
  const principal = requirePrincipal(ctx);
  return { accountId: principal.accountId, principal, meta: ctx.meta, onCommitted: ctx.services.onAuditCommitted };
}

/** The principal of an authenticated request, or UNAUTHENTICATED. */
export function requirePrincipal(ctx: Context): Principal {
  if (!ctx.principal) throw new UnauthenticatedError();
  return ctx.principal;
}
