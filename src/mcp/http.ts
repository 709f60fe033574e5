import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AuditChannel } from '../audit/audit-event.entity';
import { refusedDecision, type RateLimitVerdict } from '../ratelimit/rate-limiter';
import type { Context } from '../server/graphql/context';
import { BodyTooLarge, readBody, sendJson } from '../server/http';
import type { ContextInput } from '../server/websocket';
import { AppError, ErrorCode, UnauthenticatedError, rateLimitedError } from '../shared/errors';
import { MAX_BODY_BYTES } from '../shared/query-limits';
import { createMcpServer } from './server';

/** JSON-RPC's code for a request the transport refuses (the SDK's own answers use it too). */
const TRANSPORT_ERROR = -32000;
const PARSE_ERROR = -32700;

export interface McpHttpDeps {
  /** The one context factory of the app (authentication included). */
  createContext(input: ContextInput): Promise<Context>;
  clientIp(req: IncomingMessage): string | null;
  /** Origins a browser page may call from: PUBLIC_URL's and the listening address's. */
  allowedOrigins(): string[];
  logger: Logger;
}

/** A JSON-RPC error answer without a request id, carrying keyledger's code as `data.code`. */
function sendRpcError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
  rpcCode = TRANSPORT_ERROR,
): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code: rpcCode, message, data: { code } }, id: null }, headers);
}

/** 429 for `/mcp` over the shared per-IP budget (the rate-limit headers are already set). */
export function sendMcpRateLimited(res: ServerResponse, verdict: RateLimitVerdict): void {
  const error = rateLimitedError(refusedDecision(verdict)!);
  sendRpcError(res, 429, ErrorCode.RATE_LIMITED, error.message, { 'retry-after': String(error.retryAfter) });
}

/** The methods (and tool names) of a JSON-RPC message or batch, for the request log; bounded in size. */
function rpcSummary(body: unknown): { rpc?: string[] } {
  const messages = (Array.isArray(body) ? body : [body]).slice(0, 10) as unknown[];
  const rpc = messages.flatMap((message) => {
    if (typeof message !== 'object' || message === null) return [];
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    if (typeof method !== 'string') return [];
    const tool = method === 'tools/call' && typeof params?.name === 'string' ? ` ${params.name}` : '';
    return [`${method}${tool}`.slice(0, 100)];
  });
  return rpc.length > 0 ? { rpc } : {};
}

/** A `WWW-Authenticate` challenge (RFC 6750) for a refused bearer token. */
function bearerChallenge(description: string, invalidToken: boolean): string {
  const quoted = description.replace(/["\\]/g, "'");
  return `Bearer realm="keyledger"${invalidToken ? ', error="invalid_token"' : ''}, error_description="${quoted}"`;
}

/**
 * The Streamable HTTP face at `/mcp` (and `/mcp/readonly`): stateless, JSON
 * answers, one McpServer per request for the request's principal. In order:
 * POST only (405), the Origin check against DNS rebinding (403), the body
 * (413, 400), the bearer token through the app's one context factory (401
 * with a `WWW-Authenticate` challenge), then the SDK's transport. The caller
 * has already spent a point of the per-IP rate limit.
 */
export function mcpHttpHandler(deps: McpHttpDeps) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string, readOnly: boolean): Promise<void> => {
    const started = Date.now();
    let body: unknown;
    // What was asked (the JSON-RPC method and tool), never the arguments: they may hold anything.
    const logged = (outcome: string) =>
      deps.logger.info(
        {
          requestId,
          path: req.url,
          ...rpcSummary(body),
          status: res.statusCode,
          outcome,
          durationMs: Date.now() - started,
        },
        'mcp request',
      );
    if (req.method !== 'POST') {
      // Stateless: no server-sent stream to open (GET) and no session to end (DELETE).
      sendRpcError(res, 405, ErrorCode.BAD_REQUEST, 'Method not allowed: POST JSON-RPC messages to this endpoint', {
        allow: 'POST',
      });
      return logged('method not allowed');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !deps.allowedOrigins().includes(origin)) {
      sendRpcError(res, 403, ErrorCode.FORBIDDEN, `Origin ${origin} is not allowed`);
      return logged('foreign origin');
    }
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendRpcError(res, 413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
        return logged('too large');
      }
      sendRpcError(res, 400, ErrorCode.BAD_REQUEST, 'Request body is not valid JSON', {}, PARSE_ERROR);
      return logged('bad json');
    }
    let ctx: Context;
    try {
      ctx = await deps.createContext({
        authorization: req.headers.authorization,
        ip: deps.clientIp(req),
        userAgent: req.headers['user-agent'] ?? null,
        requestId,
        host: req.headers.host,
        via: AuditChannel.MCP,
      });
      if (!ctx.principal) throw new UnauthenticatedError('send "Authorization: Bearer <API key or session token>"');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== ErrorCode.UNAUTHENTICATED) throw error;
      const challenge = bearerChallenge(error.message, Boolean(req.headers.authorization));
      sendRpcError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, { 'www-authenticate': challenge });
      return logged('unauthenticated');
    }
    const server = createMcpServer(() => Promise.resolve(ctx), { readOnly, logger: deps.logger });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    return logged('served');
  };
}
