import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AccountType } from '../accounts/account.types';
import { ApiKeyScope } from '../auth/permissions';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import { ApiKeyStatus } from './api-key.entity';
import { MAX_USAGE_HOURS, inactiveScopesOf } from './api-key.service';
import {
  ApiKeyConnection,
  ApiKeyFilter,
  ApiKeyType,
  ApiKeyUsageHour,
  EndRotationGraceInput,
  KeyHealthType,
  TransferApiKeyInput,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  RevokeApiKeyInput,
  RotateApiKeyInput,
  RotateApiKeyPayload,
  UpdateApiKeyInput,
} from './api-key.types';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Authorized()
  @Query(() => ApiKeyType, { nullable: true, description: 'One key of the caller’s account (keys:read).' })
  async apiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiKeyType> {
    return ApiKeyType.from(await ctx.services.keys.get(ctx.em, requirePrincipal(ctx), id));
  }

  @Authorized()
  @Query(() => ApiKeyConnection, { description: 'Keys of the caller’s account, newest first (keys:read).' })
  async apiKeys(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100; default 20.' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('status', () => ApiKeyStatus, {
      nullable: true,
      description: 'Same as filter.status (kept for existing clients).',
    })
    status?: ApiKeyStatus,
    @Arg('filter', () => ApiKeyFilter, { nullable: true }) filter?: ApiKeyFilter,
  ): Promise<ApiKeyConnection> {
    const page = await ctx.services.keys.list(ctx.pooled, requirePrincipal(ctx), {
      first,
      after,
      filter: { ...filter, status: filter?.status ?? status ?? null },
    });
    const now = new Date();
    return {
      edges: page.nodes.map((key, index) => ({ cursor: page.cursors[index]!, node: ApiKeyType.from(key, now) })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: Boolean(after),
        startCursor: page.cursors[0] ?? null,
        endCursor: page.cursors.at(-1) ?? null,
      },
      totalCount: page.totalCount,
    };
  }

  @Authorized()
  @Mutation(() => CreateApiKeyPayload, { description: 'Creates a key; the secret is in this response only.' })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<CreateApiKeyPayload> {
    // Plain statements and forks of its own: no request fork needed.
    const { apiKey, secret, replayed } = await ctx.services.keys.create(ctx.pooled, callerOf(ctx), input);
    return { apiKey: ApiKeyType.from(apiKey), secret, replayed: replayed ?? false };
  }

  @Authorized()
  @Mutation(() => RotateApiKeyPayload, {
    description: 'New secret; the old key works for gracePeriodSeconds, then expires.',
  })
  async rotateApiKey(
    @Arg('input', () => RotateApiKeyInput) input: RotateApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<RotateApiKeyPayload> {
    const { apiKey, secret, previousKey } = await ctx.services.keys.rotate(ctx.em, callerOf(ctx), input);
    return { apiKey: ApiKeyType.from(apiKey), secret, previousKey: ApiKeyType.from(previousKey) };
  }

  @Authorized()
  @Mutation(() => ApiKeyType, { description: 'Revokes at once; revoking again changes nothing.' })
  async revokeApiKey(
    @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<ApiKeyType> {
    return ApiKeyType.from(await ctx.services.keys.revoke(ctx.em, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => ApiKeyType, { description: 'Renames a key or changes its description.' })
  async updateApiKey(
    @Arg('input', () => UpdateApiKeyInput) input: UpdateApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<ApiKeyType> {
    return ApiKeyType.from(await ctx.services.keys.update(ctx.em, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => ApiKeyType, {
    description:
      'Hands a key to another member (keys:write, and the caller must hold the key’s scopes): the key acts with the new owner’s role from then on; inactiveScopes names what stops working.',
  })
  async transferApiKey(
    @Arg('input', () => TransferApiKeyInput) input: TransferApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<ApiKeyType> {
    return ApiKeyType.from(await ctx.services.keys.transfer(ctx.em, callerOf(ctx), input));
  }

  @Authorized()
  @Mutation(() => ApiKeyType, {
    description:
      'Ends a rotated (ROTATING) key’s grace period now: it fails from the next request. Returns the old key.',
  })
  async endRotationGrace(
    @Arg('input', () => EndRotationGraceInput) input: EndRotationGraceInput,
    @Ctx() ctx: Context,
  ): Promise<ApiKeyType> {
    return ApiKeyType.from(await ctx.services.keys.endRotationGrace(ctx.em, callerOf(ctx), input));
  }

  @FieldResolver(() => [ApiKeyScope], {
    description: 'Scopes the key holds that its owner’s current role does not allow: they grant nothing.',
  })
  async inactiveScopes(@Root() key: ApiKeyType, @Ctx() ctx: Context): Promise<ApiKeyScope[]> {
    const role =
      key.ownerRole !== undefined
        ? key.ownerRole
        : await ctx.services.accounts.roleOf(ctx.em, requirePrincipal(ctx).accountId, key.owner?.id ?? null);
    return inactiveScopesOf(key.scopes, role);
  }

  @FieldResolver(() => [ApiKeyUsageHour], {
    description: `Requests per hour, oldest first, every hour present (zero when unused); \`last\` hours up to the current one (1–${MAX_USAGE_HOURS}, default ${MAX_USAGE_HOURS}: 7 days). Counted in batches, a few seconds behind.`,
  })
  async usage(
    @Root() key: ApiKeyType,
    @Ctx() ctx: Context,
    @Arg('last', () => Int, { nullable: true }) last?: number,
  ): Promise<ApiKeyUsageHour[]> {
    return ctx.services.keys.usage(ctx.em, requirePrincipal(ctx), key.id, last ?? MAX_USAGE_HOURS);
  }
}

@Resolver(() => AccountType)
export class AccountKeyHealthResolver {
  @FieldResolver(() => KeyHealthType, { description: 'Key hygiene at a glance (keys:read).' })
  async keyHealth(@Ctx() ctx: Context): Promise<KeyHealthType> {
    return ctx.services.keys.keyHealth(ctx.em, requirePrincipal(ctx));
  }
}
