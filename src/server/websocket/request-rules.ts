// The request rules HTTP gets from Apollo, for graphql-ws: no introspection or suggestions where HTTP has none, Apollo's codes.
import { GraphQLError, type ValidationRule } from 'graphql';

/** Refuses `__schema` and `__type` (one error per such field), like Apollo's rule when introspection is off. */
export const NoIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError('GraphQL introspection is not allowed, but the query contained __schema or __type', {
          nodes: [node],
        }),
      );
    }
  },
});

/** A validation message without its field suggestions, as Apollo's hideSchemaDetailsFromClientErrors does. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/** graphql-js's own request errors, with the codes Apollo gives them over HTTP. */
export function withCode(
  error: GraphQLError,
  code: string,
  message: (text: string) => string = (text) => text,
): GraphQLError {
  return new GraphQLError(message(error.message), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { code },
  });
}
