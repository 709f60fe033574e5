import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** How a test reaches the MCP face: a bearer token, extra headers, the read-only endpoint. */
export interface McpConnectOptions {
  token?: string;
  headers?: Record<string, string>;
  readOnly?: boolean;
}

/** An SDK client connected to `baseUrl`'s `/mcp` (or `/mcp/readonly`) over Streamable HTTP. */
export async function connectMcp(baseUrl: string, options: McpConnectOptions = {}): Promise<Client> {
  const client = new Client({ name: 'keyledger-test', version: '1.0.0' });
  const headers = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  const url = new URL(options.readOnly ? '/mcp/readonly' : '/mcp', baseUrl);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** A tool's answer: its JSON (the last text item), whether it is an error, and every text item. */
export interface ToolAnswer<T = Record<string, unknown>> {
  isError: boolean;
  json: T;
  texts: string[];
}

/** Calls `name` and parses its JSON answer. */
export async function callTool<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolAnswer<T>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const texts = result.content.flatMap((item) => (item.type === 'text' ? [item.text] : []));
  return { isError: result.isError === true, json: JSON.parse(texts.at(-1)!) as T, texts };
}

/** The error of a tool's isError answer. */
export interface ToolError {
  code: string;
  message: string;
  [extension: string]: unknown;
}

/** Calls `name`, expects an isError answer, and returns its `error`. */
export async function toolError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolError> {
  const answer = await callTool<{ error: ToolError }>(client, name, args);
  expect(answer.isError).toBe(true);
  return answer.json.error;
}

/** Tool names a client is offered, sorted. */
export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

/** A raw JSON-RPC POST to the MCP endpoint, as a client without the SDK sends it. */
export function postMcp(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/mcp', baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** A `tools/list` JSON-RPC request. */
export const LIST_TOOLS = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
