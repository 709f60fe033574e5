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
  /** HTTP 503 from an export download: every download slot of the instance is taken; retry after `Retry-After`. */
  EXPORTS_BUSY = 'EXPORTS_BUSY',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
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
