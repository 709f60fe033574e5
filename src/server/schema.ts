import 'reflect-metadata';
import { GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from '../accounts/account.resolver';
import { AuditDigestResolver } from '../audit/audit-digest.resolver';
import { AuditIngestResolver } from '../audit/audit-ingest.resolver';
import { AuditReviewResolver } from '../audit/audit-review.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { applyEntitlements } from '../entitlements/entitled.directive';
import { PlansResolver } from '../entitlements/plans.resolver';
import { AccountKeyHealthResolver, ApiKeyResolver } from '../keys/api-key.resolver';
import { SessionResolver } from '../sessions/session.resolver';
import type { Context } from './graphql/context';
import { UnauthenticatedError } from '../shared/errors';
import { applyInputChecks } from './input-checks';

/**
 * graphql-scalars' `DateTime`, answered as its ISO string rather than a `Date` left for
 * `JSON.stringify` to convert: a response holding `Date`s leaves V8's fast JSON path
 * (a page of 20 keys serialised about 3× slower). Same text on the wire.
 */
const DateTime = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  serialize: (value) => {
    const date = GraphQLDateTime.serialize(value);
    return date instanceof Date ? date.toISOString() : date;
  },
});

/** The executable schema, from the type-graphql resolvers of every feature. */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      AccountResolver,
      ApiKeyResolver,
      AccountKeyHealthResolver,
      AuditResolver,
      AuditDigestResolver,
      SessionResolver,
      AuditIngestResolver,
      AuditReviewResolver,
      PlansResolver,
    ],
    scalarsMap: [{ type: Date, scalar: DateTime }],
    // Authentication only; roles and scopes are checked by the services, in one place (auth/principal.ts).
    authChecker: ({ context }: { context: Context }) => {
      if (!context.principal) throw new UnauthenticatedError();
      return true;
    },
    validate: false,
    // Subscriptions bring their own `subscribe` (the audit feed); type-graphql insists on a pub/sub regardless.
    pubSub: {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('topic subscriptions are not used');
      },
    },
  });
  return applyInputChecks(applyEntitlements(schema));
}
