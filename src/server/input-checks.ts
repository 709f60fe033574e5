import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import { requireWellFormedArgs } from '../shared/validation';

/**
 * The one check of client text at the GraphQL boundary, for every face that
 * executes the schema (HTTP and WebSocket alike): every field that takes
 * arguments first checks every string in them (inline literals and variables,
 * IDs, filters, input objects at any depth), and refuses a lone UTF-16
 * surrogate or a NUL with BAD_USER_INPUT naming the argument's path, before
 * any resolver, authorization or audit record sees it. PostgreSQL would store
 * such text altered (or not at all), so nothing downstream could hash or
 * compare it faithfully. A subscription is checked once, when it subscribes.
 */
export function applyInputChecks(built: GraphQLSchema): GraphQLSchema {
  const subscriptionType = built.getSubscriptionType()?.name;
  return mapSchema(built, {
    [MapperKind.OBJECT_FIELD]: (field: GraphQLFieldConfig<unknown, unknown>, _name, typeName) => {
      if (!field.args || Object.keys(field.args).length === 0) return field;
      if (typeName === subscriptionType && field.subscribe) {
        const subscribe = field.subscribe;
        return {
          ...field,
          subscribe: (source, args, ctx, info) => {
            requireWellFormedArgs(args);
            return subscribe(source, args, ctx, info);
          },
        };
      }
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve: (source, args, ctx, info) => {
          requireWellFormedArgs(args);
          return resolve(source, args, ctx, info);
        },
      };
    },
  });
}
