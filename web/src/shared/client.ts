import { Client, CombinedError, cacheExchange, fetchExchange } from '@urql/core';

/**
 * The pages' GraphQL client: same-origin `/graphql`, the session cookie, POST only (Apollo's CSRF prevention
 * refuses urql's content-type-less GETs).
 */
export function createApiClient(): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin', headers: { accept: 'application/graphql-response+json' } },
    exchanges: [cacheExchange, fetchExchange],
  });
}

/** The `extensions.code` of the first GraphQL error (UNAUTHENTICATED, FORBIDDEN, …), or NETWORK. */
export function errorCode(error: CombinedError | undefined): string | undefined {
  if (!error) return undefined;
  if (error.networkError && error.graphQLErrors.length === 0) return 'NETWORK';
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A message fit to show: the server's own message without urql's `[GraphQL]` prefix. */
export function errorMessage(error: CombinedError | undefined): string {
  if (!error) return '';
  if (error.networkError && error.graphQLErrors.length === 0) return 'The service could not be reached. Try again.';
  return error.graphQLErrors.map((graphQLError) => graphQLError.message).join(' ');
}

/** Whether an error means the caller has no (or an ended) session. */
export function isSignedOut(error: CombinedError | undefined): boolean {
  return errorCode(error) === 'UNAUTHENTICATED';
}

export { CombinedError };
