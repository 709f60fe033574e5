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

export async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
