import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKeyScope } from '../auth/permissions';
import { assertPermission, permissionsOf, type Principal } from '../auth/principal';
import { EntitlementsType } from '../entitlements/entitlements.types';
import { ApiKey } from '../keys/api-key.entity';
import { ApiKeyType } from '../keys/api-key.types';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import {
  AccountSettingsType,
  AccountType,
  ChangeMemberRoleInput,
  ChangePlanInput,
  InviteMemberInput,
  MembershipType,
  RemoveMemberInput,
  UpdateAccountSettingsInput,
  UserType,
} from './account.types';
import { User } from './user.entity';
import { ViewerType } from './viewer.types';

/** The `Viewer` of a principal: its account, user, key, role and effective scopes (also the sign-in payload's). */
export async function viewerOf(ctx: Context, principal: Principal): Promise<ViewerType> {
  const userId = principal.kind === 'user' ? principal.userId : principal.ownerUserId;
  const [account, user, key] = await Promise.all([
    ctx.services.accounts.get(ctx.em, principal),
    ctx.em.findOne(User, userId),
    principal.kind === 'apiKey'
      ? ctx.em.findOneOrFail(ApiKey, principal.keyId, { populate: ['createdBy', 'revokedBy'] })
      : null,
  ]);
  return Object.assign(new ViewerType(), {
    user: user ? UserType.from(user) : null,
    apiKey: key ? ApiKeyType.from(key) : null,
    account: AccountType.from(account),
    role: principal.kind === 'user' ? principal.role : principal.ownerRole,
    scopes:
      principal.kind === 'apiKey'
        ? Object.values(ApiKeyScope).filter((scope) => permissionsOf(principal).has(scope))
        : null,
  });
}

@Resolver(() => AccountType)
export class AccountResolver {
  @Authorized()
  @Query(() => ViewerType, { description: 'The caller: member or API key, its account, role and scopes.' })
  async viewer(@Ctx() ctx: Context): Promise<ViewerType> {
    return viewerOf(ctx, requirePrincipal(ctx));
  }

  @Authorized()
  @Query(() => AccountType, { description: "The caller's account." })
  async account(@Ctx() ctx: Context): Promise<AccountType> {
    return AccountType.from(await ctx.services.accounts.get(ctx.em, requirePrincipal(ctx)));
  }

  @Authorized()
  @Query(() => EntitlementsType, { description: "What the caller's plan includes." })
  async entitlements(@Ctx() ctx: Context): Promise<EntitlementsType> {
    const account = await ctx.services.accounts.get(ctx.em, requirePrincipal(ctx));
    return EntitlementsType.of(account);
  }

  @FieldResolver(() => AccountSettingsType)
  settings(@Root() account: AccountType, @Ctx() ctx: Context): AccountSettingsType {
    assertPermission(requirePrincipal(ctx), ApiKeyScope.SETTINGS_READ);
    return AccountSettingsType.from(account.entity);
  }

  @FieldResolver(() => [MembershipType])
  async members(@Ctx() ctx: Context): Promise<MembershipType[]> {
    const memberships = await ctx.services.accounts.members(ctx.em, requirePrincipal(ctx));
    return memberships.map((membership) => MembershipType.from(membership));
  }

  @FieldResolver(() => EntitlementsType, { name: 'entitlements' })
  entitlementsOf(@Root() account: AccountType): EntitlementsType {
    return EntitlementsType.of(account.entity);
  }

  @Authorized()
  @Mutation(() => AccountSettingsType, {
    description: 'Changes the API key expiry policy (OWNER/ADMIN, or settings:write).',
  })
  async updateAccountSettings(
    @Arg('input', () => UpdateAccountSettingsInput) input: UpdateAccountSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<AccountSettingsType> {
    return AccountSettingsType.from(await ctx.services.accounts.updateSettings(ctx.pooled, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => MembershipType, {
    description: 'Adds a member at once, creating the user if new (no email is sent).',
  })
  async inviteMember(
    @Arg('input', () => InviteMemberInput) input: InviteMemberInput,
    @Ctx() ctx: Context,
  ): Promise<MembershipType> {
    return MembershipType.from(await ctx.services.accounts.invite(ctx.em, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => MembershipType, { description: 'Changes a member role; the last OWNER cannot be demoted.' })
  async changeMemberRole(
    @Arg('input', () => ChangeMemberRoleInput) input: ChangeMemberRoleInput,
    @Ctx() ctx: Context,
  ): Promise<MembershipType> {
    return MembershipType.from(await ctx.services.accounts.changeRole(ctx.em, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Removes a member (or leaves, for oneself); the last OWNER cannot be removed.',
  })
  async removeMember(
    @Arg('input', () => RemoveMemberInput) input: RemoveMemberInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.accounts.remove(ctx.em, callerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => AccountType, { description: 'Changes the plan (OWNER only; stands in for billing).' })
  async changePlan(
    @Arg('input', () => ChangePlanInput) input: ChangePlanInput,
    @Ctx() ctx: Context,
  ): Promise<AccountType> {
    return AccountType.from(await ctx.services.accounts.changePlan(ctx.em, callerOf(ctx), input));
  }
}
