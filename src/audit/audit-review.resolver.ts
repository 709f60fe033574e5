import { Arg, Authorized, Ctx, Directive, FieldResolver, Mutation, Resolver } from 'type-graphql';
import { AccountType } from '../accounts/account.types';
import { entitledBy } from '../entitlements/entitled.directive';
import { Feature } from '../entitlements/plans';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import {
  AuditReviewType,
  MarkAuditReviewedInput,
  SetAuditReviewerInput,
  SetImportantAuditActionsInput,
} from './audit-review.types';

/** The review of the audit log: who owns it, what matters, how far it got. Gated like the log. */
@Resolver(() => AccountType)
export class AuditReviewResolver {
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @FieldResolver(() => AuditReviewType, {
    nullable: true,
    description: 'Where the review of the audit log stands (audit:read).',
  })
  async auditReview(@Ctx() ctx: Context): Promise<AuditReviewType> {
    return this.review(ctx);
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Mutation(() => AuditReviewType, {
    nullable: true,
    description: 'Makes a member an audit reviewer, or not (OWNER/ADMIN; members:write for API keys).',
  })
  async setAuditReviewer(
    @Arg('input', () => SetAuditReviewerInput) input: SetAuditReviewerInput,
    @Ctx() ctx: Context,
  ): Promise<AuditReviewType> {
    await ctx.services.review.setReviewer(ctx.em, callerOf(ctx), input);
    return this.review(ctx);
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Mutation(() => AuditReviewType, {
    nullable: true,
    description:
      'Names the actions that matter most to the account, e.g. api_key.* (OWNER/ADMIN; settings:write for API keys).',
  })
  async setImportantAuditActions(
    @Arg('input', () => SetImportantAuditActionsInput) input: SetImportantAuditActionsInput,
    @Ctx() ctx: Context,
  ): Promise<AuditReviewType> {
    await ctx.services.review.setImportantActions(ctx.em, callerOf(ctx), input);
    return this.review(ctx);
  }

  @Authorized()
  @Directive(entitledBy(Feature.AUDIT_LOG))
  @Mutation(() => AuditReviewType, {
    nullable: true,
    description: 'Marks the log reviewed through a seq (an audit reviewer signed in as a user).',
  })
  async markAuditReviewed(
    @Arg('input', () => MarkAuditReviewedInput) input: MarkAuditReviewedInput,
    @Ctx() ctx: Context,
  ): Promise<AuditReviewType> {
    await ctx.services.review.markReviewed(ctx.em, callerOf(ctx), input, await ctx.plan());
    return this.review(ctx);
  }

  private async review(ctx: Context): Promise<AuditReviewType> {
    return AuditReviewType.from(await ctx.services.review.state(ctx.em, requirePrincipal(ctx), await ctx.plan()));
  }
}
