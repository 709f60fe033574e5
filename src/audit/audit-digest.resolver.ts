import { Arg, Authorized, Ctx, Directive, Int, Mutation, Query, Resolver } from 'type-graphql';
import { entitledBy } from '../entitlements/entitled.directive';
import { Feature } from '../entitlements/plans';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import type { AuditDigestRecord } from './audit-digest';
import { digestCursorOf } from './audit-digest.service';
import { AuditDigestConnection, AuditDigestType } from './audit.types';
import { pageInfoOf } from '../shared/pagination';

function digestType(digest: AuditDigestRecord): AuditDigestType {
  return Object.assign(new AuditDigestType(), digest);
}

@Resolver(() => AuditDigestType)
export class AuditDigestResolver {
  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Query(() => AuditDigestConnection, {
    nullable: true,
    description:
      'The account’s signed audit digests, oldest first (audit:read for API keys); save them (e.g. as NDJSON) and pass `after` to fetch only new ones. Pages of at most 500.',
  })
  async auditDigests(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AuditDigestConnection> {
    const page = await ctx.services.digests.list(ctx.em, requirePrincipal(ctx), { first, after });
    const edges = page.digests.map((digest) => ({ cursor: digestCursorOf(digest.toSeq), node: digestType(digest) }));
    return { edges, pageInfo: pageInfoOf(edges, page) };
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Mutation(() => AuditDigestType, {
    nullable: true,
    description:
      'Signs a digest of the account’s audit chain up to its newest event now (audit:read for API keys), recorded as audit.digest_created (covered by the next digest). Idempotent: with no new events since the latest digest, returns that one.',
  })
  async createAuditDigest(@Ctx() ctx: Context): Promise<AuditDigestType> {
    return digestType(await ctx.services.digests.create(ctx.em, callerOf(ctx)));
  }
}
