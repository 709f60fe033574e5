// HTTP plumbing of the faces: client address, JSON answers, the bounded body reader.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { resolveClientIp, type TrustProxy } from '../ratelimit/client-ip';
import { refusedDecision, type RateLimitVerdict } from '../ratelimit/rate-limiter';
import { rateLimitedError } from '../shared/errors';
import { MAX_BODY_BYTES } from '../shared/query-limits';

/** The client's address: the socket peer, or X-Forwarded-For past trusted proxies (TRUST_PROXY). */
export function clientIpWith(trust: TrustProxy) {
  return (req: IncomingMessage): string | null =>
    resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trust) || null;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function graphqlError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** 429 with a GraphQL-shaped body (headers are already set). */
export function sendRateLimited(res: ServerResponse, verdict: RateLimitVerdict): void {
  const error = rateLimitedError(refusedDecision(verdict)!);
  sendJson(res, 429, {
    errors: [{ message: error.message, extensions: { code: error.code, retryAfter: error.retryAfter } }],
  });
}

export class BodyTooLarge extends Error {}

/**
 * The request body as text, refused past MAX_BODY_BYTES (declared or sent): the request is then
 * destroyed, as a reader that stops reading would. Read with the stream's events rather than an
 * async iterator, which costs a promise and a stream read per chunk on every request.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new BodyTooLarge());
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null) => {
      req.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (error) return reject(error);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      resolve(body.toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        finish(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    // Closed before its end: the client went away mid-body.
    const onClose = () =>
      finish(Object.assign(new Error('Request closed before its body ended'), { code: 'ECONNRESET' }));
    req.on('data', onData).on('end', onEnd).on('error', finish).on('close', onClose);
  });
}
