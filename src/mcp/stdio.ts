import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { AuditChannel } from '../audit/audit-event.entity';
import type { Context } from '../server/graphql/context';
import type { ContextInput } from '../server/websocket';
import { UnauthenticatedError } from '../shared/errors';
import { createMcpServer } from './server';

export interface McpStdioOptions {
  /** `Bearer <API key or session token>`, from `KEYLEDGER_API_KEY` or `KEYLEDGER_TOKEN`. */
  authorization: string;
  logger: Logger;
  /** @default process.stdin */
  stdin?: Readable;
  /** Only MCP frames are written here. @default process.stdout */
  stdout?: Writable;
}

/**
 * Serves the MCP tools over stdio (`keyledger mcp`) until the host closes
 * stdin. Every message authenticates afresh through the app's one context
 * factory, so a revoked key or a demotion applies to the very next call.
 * Resolves when the session ends; rejects at once when the token is refused.
 */
export async function serveMcpStdio(
  core: { createContext(input: ContextInput): Promise<Context> },
  options: McpStdioOptions,
): Promise<void> {
  const context = async () => {
    const ctx = await core.createContext({
      authorization: options.authorization,
      ip: null,
      userAgent: 'keyledger-mcp-stdio',
      requestId: `mcp-${randomUUID()}`,
      host: undefined,
      via: AuditChannel.MCP,
    });
    if (!ctx.principal) throw new UnauthenticatedError();
    return ctx;
  };
  await context(); // refuse a bad token before the host sees a server
  const server = createMcpServer(context, { logger: options.logger });
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const ended = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    server.onclose = () => resolve();
  });
  await server.connect(transport);
  options.logger.info('keyledger MCP server on stdio');
  await ended;
  await server.close();
}
