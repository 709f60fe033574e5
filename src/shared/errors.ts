import { GraphQLError } from 'graphql';

/** Every code a client can see in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  ENTITLEMENT_REQUIRED = 'ENTITLEMENT_REQUIRED',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  RATE_LIMITED = 'RATE_LIMITED',
  /** HTTP 400: the operation exceeds a depth, cost, alias, directive or token limit (`limit`, `max`, `actual`). */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** HTTP 413: the request body (or a WebSocket frame) is larger than the service reads. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** HTTP 400: not a GraphQL request the service takes (malformed JSON, a batch, a request CSRF prevention blocks). */
  BAD_REQUEST = 'BAD_REQUEST',
  /** HTTP 503 from an export download: every download slot of the instance is taken; retry after `Retry-After`. */
  EXPORTS_BUSY = 'EXPORTS_BUSY',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/**
 * Every WebSocket close code a client can see: graphql-ws's own (4401, 4403, 4429)
 * and the transport's (1001, 1008, 1009), in one place as graphql-ws keeps its `CloseCode`.
 */
export enum SocketCloseCode {
  /** The service is shutting down (SIGTERM). */
  GoingAway = 1001,
  /** A subscriber fell more than `SUBSCRIPTION_QUEUE_LIMIT` events behind ("slow consumer"). */
  SlowConsumer = 1008,
  /** A frame larger than the HTTP body limit. */
  MessageTooBig = 1009,
  /** `connection_init` without valid credentials. */
  Unauthorized = 4401,
  /** Credentials, role or plan no longer allow the connection (revoked, removed, demoted, downgraded, expired). */
  Forbidden = 4403,
  /** The connect was over the client's rate limit. */
  TooManyRequests = 4429,
}

/** Audit details of a refused attempt, recorded as an `outcome: DENIED` event. */
export interface DeniedAttempt {
  action: string;
  target?: { type: string; id?: string | null; display?: string | null } | null;
}

/**
 * Base of every user-facing error: sets `extensions.code` (and the HTTP status
 * where one applies). Anything that is not an AppError is masked before it
 * reaches a client.
 */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, httpStatus?: number) {
    super(message, {
      extensions: { ...extensions, code, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
    });
    this.code = code;
  }
}

/** No or invalid credentials. Raised while building the context, it answers HTTP 401. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required: send "Authorization: Bearer <token>"', httpStatus?: number) {
    super(ErrorCode.UNAUTHENTICATED, message, {}, httpStatus);
  }
}

export class ForbiddenError extends AppError {
  /** Set when the refusal should be recorded in the audit log. */
  readonly attempt: DeniedAttempt | undefined;

  constructor(message: string, attempt?: DeniedAttempt) {
    super(ErrorCode.FORBIDDEN, message);
    this.attempt = attempt;
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }
}

/** Also the answer for another account's ids: no existence oracle. */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}

export class QuotaExceededError extends AppError {
  constructor(message: string, quota: string, limit: number) {
    super(ErrorCode.QUOTA_EXCEEDED, message, { quota, limit });
  }
}

/** RATE_LIMITED: the caller's budget is spent; `retryAfter` is in seconds. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfter }, 429);
  }
}

/** The RATE_LIMITED error for a refused request, naming the budget and when to retry. */
export function rateLimitedError(decision: {
  budget: { name: string; points: number; windowSeconds: number };
  resetSeconds: number;
}): RateLimitedError {
  const { budget } = decision;
  return new RateLimitedError(
    `Rate limit exceeded: ${budget.points} requests per ${budget.windowSeconds} s per client ${budget.name}; retry in ${decision.resetSeconds} s`,
    decision.resetSeconds,
  );
}
