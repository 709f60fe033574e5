import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { callerOf, requirePrincipal, type Context } from '../server/graphql/context';
import { ApiKeyStatus } from './api-key.entity';
import {
  ApiKeyConnection,
  ApiKeyType,
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
    @Arg('status', () => ApiKeyStatus, { nullable: true }) status?: ApiKeyStatus,
  ): Promise<ApiKeyConnection> {
    const page = await ctx.services.keys.list(ctx.em, requirePrincipal(ctx), { first, after, status });
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
    const { apiKey, secret, replayed } = await ctx.services.keys.create(ctx.em, callerOf(ctx), input);
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
}
