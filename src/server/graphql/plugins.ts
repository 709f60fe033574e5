// Apollo's side of the GraphQL face: error masking, query limits, request logs and metrics.
import { type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '../../shared/errors';
import { checkQueryLimits, type QueryLimits } from '../../shared/query-limits';
import type { Context } from './context';
import { type Metrics, operationLabel } from '../metrics';
import { currentRequestId, requestSeconds } from '../request-scope';

/** Codes of request errors (Apollo's own and the query limits), safe to show as they are. */
export const PUBLIC_REQUEST_CODES = new Set([
  ErrorCode.QUERY_TOO_COMPLEX,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.BAD_REQUEST,
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Passes AppErrors and Apollo's request errors through; masks everything else with the request id. */
export function formatErrorWith(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      const { http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, code: original.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_REQUEST_CODES.has(code)) {
      const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const requestId = currentRequestId();
    logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
    return {
      message: `Internal server error (request id ${requestId ?? 'unknown'})`,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}

/** Refuses operations past the depth, cost, alias and directive limits before they execute. */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request }) {
          const error = checkQueryLimits(document, operationName, request.variables, limits);
          if (error) throw error;
        },
      };
    },
  };
}

export function requestLogPlugin(logger: Logger, metrics: Metrics): ApolloServerPlugin<Context> {
  /** One log line and one metric sample per GraphQL request, whatever its outcome. */
  const record = (entry: { operationName?: string | null; accountId?: string; codes: string[]; seconds: number }) => {
    const labels = { operation: operationLabel(entry.operationName), outcome: entry.codes[0] ?? 'ok' };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, entry.seconds);
    // One line per request at `info`; a service logging at `warn` builds none.
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      {
        requestId: currentRequestId(),
        accountId: entry.accountId,
        operationName: entry.operationName ?? undefined,
        durationMs: Math.round(entry.seconds * 10_000) / 10,
        outcome: entry.codes.length === 0 ? 'ok' : 'error',
        errorCodes: entry.codes.length > 0 ? [...new Set(entry.codes)] : undefined,
      },
      'graphql request',
    );
  };
  const codeOf = (error: unknown): string => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) return original.code;
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
  };
  return {
    // Refused before an operation exists: bad credentials, malformed or batched requests.
    async contextCreationDidFail({ error }) {
      record({ codes: [codeOf(error)], seconds: requestSeconds() });
    },
    async invalidRequestWasReceived({ error }) {
      record({ codes: [codeOf(error)], seconds: requestSeconds() });
    },
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, errors }) {
          record({
            operationName,
            accountId: contextValue.principal?.accountId,
            codes: (errors ?? []).map(codeOf),
            seconds: requestSeconds(),
          });
        },
      };
    },
  };
}

/**
 * Hands resolvers the HTTP response's headers (`Context.responseHeaders`), the
 * one way a resolver sets a header (the session cookie of sign-in and sign-out).
 */
export function responseHeadersPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue, response }) {
      contextValue.responseHeaders = response.http.headers;
    },
  };
}
