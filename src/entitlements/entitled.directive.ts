import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLNonNull,
  GraphQLSchema,
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type GraphQLFieldConfig,
} from 'graphql';
import type { Context } from '../server/graphql/context';
import { UnauthenticatedError } from '../shared/errors';
import { assertPlanIncludes } from './entitlement.check';
import type { Feature } from './plans';

/** The SDL text that gates a field or type: `@Directive(entitledBy(Feature.AUDIT_LOG))`. */
export function entitledBy(feature: Feature): string {
  return `@entitled(feature: ${feature})`;
}

/** Throws ENTITLEMENT_REQUIRED unless the caller's plan (read fresh for this request) includes `feature`. */
export async function assertEntitled(ctx: Context, feature: Feature): Promise<void> {
  if (!ctx.principal) throw new UnauthenticatedError();
  assertPlanIncludes(await ctx.plan(), feature);
}

function featureOf(schema: GraphQLSchema, node: Parameters<typeof getDirective>[1]): Feature | undefined {
  const [directive] = getDirective(schema, node, 'entitled') ?? [];
  return directive?.feature as Feature | undefined;
}

/**
 * The one enforcement of `@entitled`: declares the directive (its argument is
 * the schema's own `Feature` enum) and wraps every field that carries it, or
 * returns an object type that carries it, so the field resolves (or a
 * subscription subscribes) only when the caller's plan includes the feature.
 * A refused field resolves to null with one ENTITLEMENT_REQUIRED error; the
 * rest of the response is unaffected.
 */
export function applyEntitlements(built: GraphQLSchema): GraphQLSchema {
  const featureEnum = built.getType('Feature');
  if (!(featureEnum instanceof GraphQLEnumType)) throw new Error('schema lacks the Feature enum');
  const directive = new GraphQLDirective({
    name: 'entitled',
    description: 'The field (or every field returning the type) needs a plan that includes `feature`.',
    locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT],
    args: { feature: { type: new GraphQLNonNull(featureEnum) } },
  });
  const config = built.toConfig();
  const schema = new GraphQLSchema({
    ...config,
    directives: [...config.directives.filter((existing) => existing.name !== 'entitled'), directive],
  });
  const subscriptionType = schema.getSubscriptionType()?.name;
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field: GraphQLFieldConfig<unknown, Context>, _name, typeName) => {
      const returned = getNamedType(field.type);
      const feature = featureOf(schema, field) ?? (isObjectType(returned) ? featureOf(schema, returned) : undefined);
      if (!feature) return field;
      if (typeName === subscriptionType && field.subscribe) {
        const subscribe = field.subscribe;
        return {
          ...field,
          subscribe: async (source, args, ctx, info) => {
            await assertEntitled(ctx, feature);
            return subscribe(source, args, ctx, info);
          },
        };
      }
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve: async (source, args, ctx, info) => {
          await assertEntitled(ctx, feature);
          return resolve(source, args, ctx, info);
        },
      };
    },
  });
}
