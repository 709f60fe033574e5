import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode as RpcErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { can } from '../auth/principal';
import { assertEntitled } from '../entitlements/entitled.directive';
import { requirePrincipal, type Context } from '../server/graphql/context';
import { AppError, BadUserInputError, ErrorCode } from '../shared/errors';
import { requireWellFormedArgs } from '../shared/validation';
import { MCP_TOOLS, type McpTool, type ToolOutput } from './tools';

/** Put before a create/rotate answer that holds a secret. */
export const SECRET_WARNING =
  'This secret is shown once: store it now (keyledger keeps only its digest and cannot show it again); never paste it into logs or chat.';

const SERVER_INFO = { name: 'keyledger', version: '0.1.0' };

const INSTRUCTIONS =
  'keyledger manages this account’s API keys and its tamper-evident audit log. Errors come back as isError results whose text is JSON {"error":{"code","message",…}} with the same codes as the GraphQL API (UNAUTHENTICATED, FORBIDDEN, ENTITLEMENT_REQUIRED, BAD_USER_INPUT, NOT_FOUND, QUOTA_EXCEEDED, RATE_LIMITED). Destructive tools need the key’s displayKey as expectedDisplayKey: read it with get_api_key first. Every change is recorded in the audit log as made via MCP.';

export interface McpServerOptions {
  /** Serve only the read-only tools (`/mcp/readonly`). @default false */
  readOnly?: boolean;
  logger: Logger;
}

/**
 * An MCP server over the core for one caller. `context` gives the request's
 * context (HTTP: the one built for the request; stdio: a fresh one per
 * message, so a revocation or demotion applies at once).
 */
export function createMcpServer(context: () => Promise<Context>, options: McpServerOptions): Server {
  const offered = MCP_TOOLS.filter((tool) => !options.readOnly || tool.annotations.readOnlyHint === true);
  const server = new Server(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const principal = requirePrincipal(await context());
    const tools = offered.filter((tool) => !tool.permission || can(principal, tool.permission));
    return { tools: tools.map(describeTool) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = offered.find((candidate) => candidate.name === request.params.name);
    if (!tool) throw new McpError(RpcErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    let ctx: Context | undefined;
    try {
      ctx = await context();
      return toolResultOf(await callTool(tool, ctx, request.params.arguments ?? {}));
    } catch (error) {
      return toolErrorOf(error, ctx?.meta.requestId ?? 'unknown', options.logger);
    }
  });
  return server;
}

/** A tool as `tools/list` shows it: its JSON Schema comes from the zod shape. */
function describeTool(tool: McpTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Tool['inputSchema'],
    annotations: { title: tool.title, ...tool.annotations },
  };
}

/**
 * Runs a tool as GraphQL runs a field: the arguments' text checked like every
 * GraphQL argument, their shape, the plan feature through the `@entitled`
 * directive's own check, then the service (which holds every other rule).
 */
async function callTool(tool: McpTool, ctx: Context, args: Record<string, unknown>): Promise<ToolOutput> {
  requireWellFormedArgs(args);
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const field = issue?.path.join('.') || undefined;
    throw new BadUserInputError(`${field ? `${field}: ` : ''}${issue?.message ?? 'invalid arguments'}`, field);
  }
  requirePrincipal(ctx);
  if (tool.feature) await assertEntitled(ctx, tool.feature);
  return tool.run(ctx, parsed.data);
}

function toolResultOf(output: ToolOutput): CallToolResult {
  const json = { type: 'text' as const, text: JSON.stringify(output.data) };
  return {
    content: output.secret ? [{ type: 'text', text: SECRET_WARNING }, json] : [json],
    structuredContent: JSON.parse(json.text) as Record<string, unknown>,
  };
}

/**
 * The one mapping from an error to a tool's error result: an `AppError` keeps
 * its code, message and extensions (as GraphQL's `formatError` passes them);
 * anything else is logged and masked with the request id.
 */
export function toolErrorOf(error: unknown, requestId: string, logger: Logger): CallToolResult {
  let body: Record<string, unknown>;
  if (error instanceof AppError) {
    const { http: _http, code: _code, ...extensions } = error.extensions;
    body = { code: error.code, message: error.message, ...extensions };
  } else {
    logger.error({ err: error, requestId }, 'MCP tool failed');
    body = {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      message: `Internal server error (request id ${requestId})`,
      requestId,
    };
  }
  return { content: [{ type: 'text', text: JSON.stringify({ error: body }) }], isError: true };
}
