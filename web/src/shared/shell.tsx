import { type ReactNode, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider, useClient, useQuery } from 'urql';
import { PageViewerDocument, type PageViewerQuery, SignOutDocument } from '../gql/graphql';
import { createApiClient, errorMessage, isSignedOut } from './client';
import '../styles.css';

/** The signed-in member as every page sees it. */
export type PageViewer = PageViewerQuery['viewer'];

const PAGES = [
  { href: '/app/settings/api-keys', label: 'API keys' },
  { href: '/app/settings/audit', label: 'Audit log' },
] as const;

/** Renders a settings page into #root inside the shared header, once the viewer is known. */
export function mountSettingsPage(current: (typeof PAGES)[number]['href'], page: (viewer: PageViewer) => ReactNode) {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Provider value={createApiClient()}>
        <SettingsShell current={current} page={page} />
      </Provider>
    </StrictMode>,
  );
}

function SettingsShell({ current, page }: { current: string; page: (viewer: PageViewer) => ReactNode }) {
  const [{ data, error, fetching }] = useQuery({ query: PageViewerDocument });
  const viewer = data?.viewer;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">keyledger</span>
        {viewer && (
          <nav aria-label="Settings">
            {PAGES.map((item) => (
              <a key={item.href} href={item.href} aria-current={item.href === current ? 'page' : undefined}>
                {item.label}
              </a>
            ))}
          </nav>
        )}
        {viewer && <AccountMenu viewer={viewer} />}
      </header>
      <main id="main" className="page">
        {fetching && !data && <p className="muted">Loading…</p>}
        {isSignedOut(error) && <SignInPrompt />}
        {error && !isSignedOut(error) && (
          <p role="alert" className="alert alert-error">
            {errorMessage(error)}
          </p>
        )}
        {viewer && page(viewer)}
      </main>
    </>
  );
}

function AccountMenu({ viewer }: { viewer: PageViewer }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    await client.mutation(SignOutDocument, {}).toPromise();
    window.location.assign('/app/login');
  };
  return (
    <div className="account">
      <span className="account-name">
        {viewer.account.name} <span className="badge badge-plan">{viewer.account.plan}</span>
      </span>
      <span className="muted">
        {viewer.user?.email} · {viewer.role}
      </span>
      <button type="button" className="button button-quiet" onClick={signOut} disabled={busy}>
        Sign out
      </button>
    </div>
  );
}

/** What a page shows without a session. */
export function SignInPrompt() {
  return (
    <section className="panel signin" aria-labelledby="signin-title">
      <h1 id="signin-title">You are not signed in</h1>
      <p>
        Sign in with a link from <code>keyledger login-link</code>.
      </p>
      <p className="muted">
        An owner or operator runs <code>keyledger login-link --account &lt;id&gt; --email &lt;you&gt;</code> and sends
        you the link; it works once and expires soon.
      </p>
    </section>
  );
}
