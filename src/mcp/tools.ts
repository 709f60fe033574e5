import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { GraphQLDateTime } from 'graphql-scalars';
import { z } from 'zod';
import { AccountSettingsType } from '../accounts/account.types';
import { AuditActorType, AuditChannel, AuditOutcome } from '../audit/audit-event.entity';
import { auditCursorOf, type AuditEventRecord, type AuditFilter } from '../audit/audit.records';
import { AuditEventType, AuditExportFormat, AuditOrder } from '../audit/audit.types';
import { ApiKeyScope, scopeNames, type Permission } from '../auth/permissions';
import { can, permissionsOf } from '../auth/principal';
import { EntitlementsType } from '../entitlements/entitlements.types';
import { Feature } from '../entitlements/plans';
import { ApiKeyPurpose, ApiKeyStatus } from '../keys/api-key.entity';
import { ApiKeyType } from '../keys/api-key.types';
import type { ApiKeyView } from '../keys/api-key.view';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import { BadUserInputError } from '../shared/errors';
import { requireIntInRange } from '../shared/validation';

/** What a tool answers: JSON data; `secret` marks data holding a secret that is shown this once. */
export interface ToolOutput {
  data: Record<string, unknown>;
  secret?: boolean;
}

/**
 * One MCP tool: its contract (name, input schema, annotations), what a caller
 * needs to see it listed, and how it asks the core. Rules stay in the services:
 * `permission` only decides whether the tool is listed (the service refuses,
 * and records, a caller without it), `feature` is checked by the same function
 * as the GraphQL `@entitled` directive.
 */
export interface McpTool {
  name: string;
  title: string;
  description: string;
  /** Describes the arguments to the SDK and the client; the rules are the core's validators. */
  input: z.ZodObject;
  /** Listed only to callers holding it (`can`); absent: any authenticated caller. */
  permission?: Permission;
  /** Plan feature the tool needs; it stays listed and answers ENTITLEMENT_REQUIRED without it. */
  feature?: Feature;
  annotations: ToolAnnotations;
  run(ctx: Context, args: Record<string, unknown>): Promise<ToolOutput>;
}

/** A tool with its arguments typed from its input shape. */
function tool<S extends z.ZodRawShape>(
  definition: Omit<McpTool, 'input' | 'run'> & {
    input: S;
    run(ctx: Context, args: z.infer<z.ZodObject<S>>): Promise<ToolOutput>;
  },
): McpTool {
  return {
    ...definition,
    input: z.object(definition.input),
    run: (ctx, args) => definition.run(ctx, args as z.infer<z.ZodObject<S>>),
  };
}

const SCOPE_NAMES = Object.keys(ApiKeyScope) as [keyof typeof ApiKeyScope, ...(keyof typeof ApiKeyScope)[]];
const scopeName = z.enum(SCOPE_NAMES);
const dateTime = z.string().describe('ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z');
const keyId = z.string().describe('The key’s id (from list_api_keys or get_api_key).');
const expectedDisplayKey = z
  .string()
  .describe('The key’s displayKey as get_api_key shows it (kl_live_Ab12…wxyz): a mismatch refuses, changing nothing.');

const auditFilter = z
  .object({
    actions: z.array(z.string()).optional().describe('Exact action names, or prefixes ending in .* (api_key.*).'),
    actorId: z.string().optional(),
    actorType: z.enum(AuditActorType).optional(),
    targetId: z.string().optional(),
    outcome: z.enum(AuditOutcome).optional(),
    occurredAfter: dateTime.optional().describe('Inclusive, ISO 8601.'),
    occurredBefore: dateTime.optional().describe('Exclusive, ISO 8601.'),
    via: z.enum(AuditChannel).optional().describe('Only events that came through this face (MCP: agents).'),
    submittedById: z
      .string()
      .optional()
      .describe('Only events the host product recorded through this API key or member (submittedBy.id).'),
  })
  .describe('Which events; every field optional.');

/** A date-time argument read as the GraphQL `DateTime` scalar reads it; BAD_USER_INPUT otherwise. */
function dateArg(value: string | null | undefined, field: string): Date | null | undefined {
  if (value === undefined || value === null) return value;
  try {
    return GraphQLDateTime.parseValue(value) as Date;
  } catch {
    throw new BadUserInputError(`${field} must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z`, field);
  }
}

function filterArg(filter: z.infer<typeof auditFilter> | undefined): AuditFilter | undefined {
  if (!filter) return undefined;
  return {
    ...filter,
    occurredAfter: dateArg(filter.occurredAfter, 'filter.occurredAfter'),
    occurredBefore: dateArg(filter.occurredBefore, 'filter.occurredBefore'),
  };
}

/** A key as the GraphQL API shows it (scopes by their GraphQL names). */
function keyData(key: ApiKeyView, now = new Date()): Record<string, unknown> {
  const { ownerRole: _ownerRole, ...shown } = ApiKeyType.from(key, now);
  return { ...shown, scopes: scopeNames(key.scopes) };
}

/** An event as the GraphQL API shows it. */
function eventData(event: AuditEventRecord): Record<string, unknown> {
  const shown = AuditEventType.from(event);
  return {
    ...shown,
    actor: { ...shown.actor, scopes: shown.actor.scopes && scopeNames(shown.actor.scopes) },
    submittedBy: shown.submittedBy && {
      ...shown.submittedBy,
      scopes: shown.submittedBy.scopes && scopeNames(shown.submittedBy.scopes),
    },
  };
}

/** The caller's expiry choice: `expiresInDays` from now, or `expiresAt` (null: never), or the account default. */
function expiryArg(args: { expiresInDays?: number; expiresAt?: string | null }): Date | null | undefined {
  if (args.expiresInDays !== undefined && args.expiresAt !== undefined) {
    throw new BadUserInputError('Pass either expiresInDays or expiresAt, not both', 'expiresInDays');
  }
  if (args.expiresInDays !== undefined) {
    const days = requireIntInRange(args.expiresInDays, 'expiresInDays', 1, 36_500);
    return new Date(Date.now() + days * 86_400_000);
  }
  return dateArg(args.expiresAt, 'expiresAt');
}

/** Every tool keyledger offers over MCP; the names are part of the contract. */
export const MCP_TOOLS: readonly McpTool[] = [
  tool({
    name: 'get_account',
    title: 'Get account',
    description:
      'The caller’s account (id, name, plan), who is calling (member role or API key and its effective scopes) and, with settings:read, the key expiry policy.',
    input: {},
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx) {
      const principal = requirePrincipal(ctx);
      const account = await ctx.services.accounts.get(ctx.em, principal);
      return {
        data: {
          account: { id: account.id, name: account.name, plan: account.plan, createdAt: account.createdAt },
          caller:
            principal.kind === 'user'
              ? { kind: 'USER', email: principal.email, role: principal.role }
              : {
                  kind: 'API_KEY',
                  displayKey: principal.displayKey,
                  role: principal.ownerRole,
                  scopes: scopeNames([...permissionsOf(principal)].filter((p) => p !== 'plan:write')),
                },
          settings: can(principal, ApiKeyScope.SETTINGS_READ) ? { ...AccountSettingsType.from(account) } : null,
        },
      };
    },
  }),
  tool({
    name: 'get_entitlements',
    title: 'Get plan entitlements',
    description:
      'What the account’s plan includes: features (AUDIT_LOG, AUDIT_EXPORT, AUDIT_STREAM), the active key quota and the audit retention.',
    input: {},
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx) {
      const account = await ctx.services.accounts.get(ctx.em, requirePrincipal(ctx));
      return { data: { ...EntitlementsType.of(account) } };
    },
  }),
  tool({
    name: 'list_api_keys',
    title: 'List API keys',
    description: 'The account’s API keys, newest first (never their secrets). Needs keys:read.',
    input: {
      status: z.enum(ApiKeyStatus).optional(),
      first: z.number().int().optional().describe('Page size, 1–100; default 20.'),
      after: z.string().optional().describe('endCursor of the previous page.'),
    },
    permission: ApiKeyScope.KEYS_READ,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx, args) {
      const page = await ctx.services.keys.list(ctx.em, requirePrincipal(ctx), {
        first: args.first,
        after: args.after,
        filter: { status: args.status },
      });
      const now = new Date();
      return {
        data: {
          keys: page.nodes.map((key) => keyData(key, now)),
          totalCount: page.totalCount,
          hasNextPage: page.hasNextPage,
          endCursor: page.cursors.at(-1) ?? null,
        },
      };
    },
  }),
  tool({
    name: 'get_api_key',
    title: 'Get an API key',
    description: 'One key of the account by id (never its secret). Needs keys:read.',
    input: { id: keyId },
    permission: ApiKeyScope.KEYS_READ,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx, args) {
      return { data: { apiKey: keyData(await ctx.services.keys.get(ctx.em, requirePrincipal(ctx), args.id)) } };
    },
  }),
  tool({
    name: 'create_api_key',
    title: 'Create an API key',
    description:
      'Creates a key; its secret is in this answer only (store it at once). Needs keys:write; subject to the plan’s active key quota and the account’s expiry policy.',
    input: {
      name: z.string().describe('Up to 100 characters.'),
      purpose: z.enum(ApiKeyPurpose),
      scopes: z.array(scopeName).describe('At most the scopes the caller holds.'),
      expiresInDays: z.number().int().optional().describe('Lifetime in days; or give expiresAt.'),
      expiresAt: dateTime
        .nullable()
        .optional()
        .describe('Expiry instant; null: never (refused when the account requires expiry). Omit both: the default.'),
      description: z.string().nullable().optional().describe('Up to 1000 characters.'),
      handoffTo: z
        .string()
        .optional()
        .describe('The receiving team: required for TEAM_HANDOFF keys, refused for other purposes.'),
      idempotencyKey: z
        .string()
        .optional()
        .describe('A retry with the same value within 24 hours returns the first key instead of a second one.'),
    },
    permission: ApiKeyScope.KEYS_WRITE,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run(ctx, args) {
      const { apiKey, secret, replayed } = await ctx.services.keys.create(ctx.em, callerOf(ctx), {
        name: args.name,
        purpose: args.purpose,
        scopes: args.scopes.map((name) => ApiKeyScope[name]),
        expiresAt: expiryArg(args),
        description: args.description,
        handoffTo: args.handoffTo,
        idempotencyKey: args.idempotencyKey,
      });
      return { data: { apiKey: keyData(apiKey), secret, replayed: replayed ?? false }, secret: !replayed };
    },
  }),
  tool({
    name: 'update_api_key',
    title: 'Rename an API key',
    description: 'Changes a key’s name or description; the same values again change nothing. Needs keys:write.',
    input: {
      id: keyId,
      name: z.string().optional(),
      description: z.string().nullable().optional().describe('null or "" clears it.'),
    },
    permission: ApiKeyScope.KEYS_WRITE,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(ctx, args) {
      return { data: { apiKey: keyData(await ctx.services.keys.update(ctx.em, callerOf(ctx), args)) } };
    },
  }),
  tool({
    name: 'rotate_api_key',
    title: 'Rotate an API key',
    description:
      'Replaces a key with a new secret (in this answer only); the old one keeps working for gracePeriodSeconds (default 0: it stops at once). Needs keys:write and the key’s displayKey as confirmation.',
    input: {
      id: keyId,
      gracePeriodSeconds: z.number().int().optional().describe('0 to 2592000 (30 days); default 0.'),
      expectedDisplayKey,
    },
    permission: ApiKeyScope.KEYS_WRITE,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run(ctx, args) {
      const { apiKey, secret, previousKey } = await ctx.services.keys.rotate(ctx.em, callerOf(ctx), args);
      return { data: { apiKey: keyData(apiKey), secret, previousKey: keyData(previousKey) }, secret: true };
    },
  }),
  tool({
    name: 'revoke_api_key',
    title: 'Revoke an API key',
    description:
      'Revokes a key at once, with every key it created; revoking again changes nothing. Needs keys:write and the key’s displayKey as confirmation.',
    input: { id: keyId, reason: z.string().optional().describe('Up to 500 characters.'), expectedDisplayKey },
    permission: ApiKeyScope.KEYS_WRITE,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run(ctx, args) {
      return { data: { apiKey: keyData(await ctx.services.keys.revoke(ctx.em, callerOf(ctx), args)) } };
    },
  }),
  tool({
    name: 'search_audit_events',
    title: 'Search the audit log',
    description:
      'Events of the account’s hash-chained audit log, newest first by default, in pages of at most 500. Needs audit:read and a plan with AUDIT_LOG (PREMIUM or higher).',
    input: {
      filter: auditFilter.optional(),
      first: z.number().int().optional().describe('Page size, 1–500; default 50.'),
      after: z.string().optional().describe('endCursor of the previous page.'),
      order: z.enum(AuditOrder).optional(),
    },
    permission: ApiKeyScope.AUDIT_READ,
    feature: Feature.AUDIT_LOG,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx, args) {
      const page = await ctx.services.audit.list(ctx.em, callerOf(ctx), { ...args, filter: filterArg(args.filter) });
      const last = page.events.at(-1);
      return {
        data: {
          events: page.events.map(eventData),
          hasNextPage: page.hasNextPage,
          endCursor: last ? auditCursorOf(last.seq) : null,
        },
      };
    },
  }),
  tool({
    name: 'verify_audit_chain',
    title: 'Verify the audit hash chain',
    description:
      'Recomputes the audit log’s hash chain (optionally of events in [from, to)) and names every broken range. Needs audit:read and AUDIT_LOG.',
    input: { from: dateTime.optional(), to: dateTime.optional() },
    permission: ApiKeyScope.AUDIT_READ,
    feature: Feature.AUDIT_LOG,
    annotations: { readOnlyHint: true, openWorldHint: false },
    async run(ctx, args) {
      const range = { from: dateArg(args.from, 'from'), to: dateArg(args.to, 'to') };
      return { data: { ...(await ctx.services.audit.verify(ctx.em, requirePrincipal(ctx), range)) } };
    },
  }),
  tool({
    name: 'create_audit_export',
    title: 'Export the audit log',
    description:
      'Prepares an NDJSON or CSV export of the audit log and returns a signed download link valid for 15 minutes (one download). Needs audit:export and AUDIT_EXPORT.',
    input: { format: z.enum(AuditExportFormat), filter: auditFilter.optional() },
    permission: ApiKeyScope.AUDIT_EXPORT,
    feature: Feature.AUDIT_EXPORT,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run(ctx, args) {
      const input = { format: args.format, filter: filterArg(args.filter) };
      return { data: { ...(await ctx.services.exports.create(ctx.em, callerOf(ctx), input, ctx.baseUrl)) } };
    },
  }),
];
