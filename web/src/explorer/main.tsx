// Monaco's language workers, bundled by Vite (`?worker`) as files under /app/assets: each starts from a
// same-origin URL, so the explorer's CSP needs no `blob:` worker source.
import 'graphiql/setup-workers/vite';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './explorer.css';

/** What a new tab shows: how to authenticate, and a first query. */
const DEFAULT_QUERY = `# keyledger API explorer (development only).
#
# Signed in to the settings pages (/app) in this browser? Operations run as you.
# Otherwise paste a token in Headers below: {"Authorization": "Bearer kl_live_…"}

{
  viewer {
    account {
      name
    }
  }
}
`;

const base = createGraphiQLFetcher({
  // POST JSON to this page's own origin (Apollo's CSRF prevention accepts it), with the session cookie.
  url: '/graphql',
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
  // Apollo answers JSON only (no @defer on graphql 16): plain requests, no multipart accept.
  enableIncrementalDelivery: false,
  subscriptionUrl: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`,
});

/**
 * The Headers editor's headers, names lower-cased: HTTP ignores case, and for a subscription they become
 * graphql-ws `connection_init` params, where the service reads `authorization` exactly.
 */
const fetcher: Fetcher = (params, options) =>
  base(params, options && { ...options, headers: lowerCaseKeys(options.headers) });

function lowerCaseKeys(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return headers && Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

// Headers hold pasted tokens: none is written to localStorage. Tabs keep their operations but not their headers
// (shouldPersistHeaders), and the history plugin, which would save every run's headers whatever that says, is left
// out (plugins: the documentation explorer only).
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false} plugins={[]} />
  </StrictMode>,
);
