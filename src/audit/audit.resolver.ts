import { Arg, Authorized, Ctx, Directive, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { entitledBy } from '../entitlements/entitled.directive';
import { Feature } from '../entitlements/plans';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import { SocketCloseCode } from '../shared/errors';
import { auditCursorOf, type AuditEventRecord } from './audit.records';
import {
  AuditChainVerification,
  AuditEventConnection,
  AuditEventFilter,
  AuditEventType,
  AuditExportType,
  AuditOrder,
  CreateAuditExportInput,
} from './audit.types';
import { pageInfoOf } from '../shared/pagination';

/** Close code for a subscriber that fell too far behind (WebSocket 1008: policy violation). */
export const SLOW_CONSUMER_CLOSE_CODE = SocketCloseCode.SlowConsumer;

@Resolver(() => AuditEventType)
export class AuditResolver {
  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Query(() => AuditEventConnection, {
    nullable: true,
    description: 'The account’s audit log, newest first by default (audit:read for API keys). Pages of at most 500.',
  })
  async auditEvents(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('last', () => Int, { nullable: true }) last?: number,
    @Arg('before', () => String, { nullable: true }) before?: string,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter?: AuditEventFilter,
    @Arg('order', () => AuditOrder, { nullable: true }) order?: AuditOrder,
  ): Promise<AuditEventConnection> {
    const page = await ctx.services.audit.list(ctx.em, callerOf(ctx), { first, after, last, before, filter, order });
    const edges = page.events.map((event) => ({ cursor: auditCursorOf(event.seq), node: AuditEventType.from(event) }));
    return { edges, pageInfo: pageInfoOf(edges, page) };
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Query(() => AuditChainVerification, {
    nullable: true,
    description:
      'Recomputes the hash chain (optionally of events in [from, to)) from one consistent snapshot, past any broken event: reports every broken range, and firstBrokenSeq names the first.',
  })
  async verifyAuditChain(
    @Ctx() ctx: Context,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
  ): Promise<AuditChainVerification> {
    return ctx.services.audit.verify(ctx.em, requirePrincipal(ctx), { from, to });
  }

  @Directive(entitledBy(Feature.AUDIT_STREAM))
  @Subscription(() => AuditEventType, {
    name: 'auditEvents',
    description:
      'Live audit events of the caller’s account, in seq order (audit:read for API keys). With `after` (any event’s cursor), stored events after it are replayed first, with no gap or duplicate at the seam.',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      return ctx.services.audit.openStream(
        ctx.services.feed,
        ctx.em,
        callerOf(ctx),
        await ctx.plan(),
        args as { filter?: AuditEventFilter | null; after?: string | null },
        (error) => ctx.connection?.close(SLOW_CONSUMER_CLOSE_CODE, error.message),
      );
    },
  })
  auditEventStream(
    @Root() event: AuditEventRecord,
    @Arg('filter', () => AuditEventFilter, { nullable: true }) _filter?: AuditEventFilter,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): AuditEventType {
    return AuditEventType.from(event);
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_EXPORT))
  @Mutation(() => AuditExportType, {
    nullable: true,
    description:
      'Prepares an export of the log (audit:export for API keys); download it from downloadUrl within 15 minutes.',
  })
  async createAuditExport(
    @Arg('input', () => CreateAuditExportInput) input: CreateAuditExportInput,
    @Ctx() ctx: Context,
  ): Promise<AuditExportType> {
    const created = await ctx.services.exports.create(ctx.em, callerOf(ctx), input, ctx.baseUrl);
    return Object.assign(new AuditExportType(), created);
  }
}
