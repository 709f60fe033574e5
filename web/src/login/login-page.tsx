import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { SignInDocument } from '../gql/graphql';
import { errorCode, errorMessage } from '../shared/client';
import { SignInPrompt } from '../shared/shell';

/** Where a signed-in member lands. */
const HOME = '/app/settings/api-keys';

/** Takes `code` out of `#code=…` and erases it from the address bar and history at once. */
function takeCode(): string | null {
  const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
  if (window.location.hash) {
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  }
  return code;
}

type State = { step: 'prompt' } | { step: 'signing-in' } | { step: 'failed'; message: string };

/** /app/login: exchanges the one-time code of a `keyledger login-link` link for a session cookie. */
export function LoginPage() {
  const client = useClient();
  const code = useRef<string | null | undefined>(undefined);
  if (code.current === undefined) code.current = takeCode();
  const [state, setState] = useState<State>(code.current ? { step: 'signing-in' } : { step: 'prompt' });

  useEffect(() => {
    const once = code.current;
    if (!once) return;
    code.current = null;
    void client
      .mutation(SignInDocument, { input: { code: once } })
      .toPromise()
      .then((result) => {
        if (result.data?.signInWithLoginLink) return window.location.replace(HOME);
        const expired = errorCode(result.error) === 'UNAUTHENTICATED' || errorCode(result.error) === 'BAD_USER_INPUT';
        setState({
          step: 'failed',
          message: expired
            ? 'This sign-in link has expired or was already used. Ask for a new one.'
            : errorMessage(result.error),
        });
      });
  }, [client]);

  return (
    <>
      <header className="topbar">
        <span className="brand">keyledger</span>
      </header>
      <main id="main" className="page">
        {state.step === 'signing-in' && (
          <section className="panel signin" aria-busy="true">
            <h1>Signing you in…</h1>
          </section>
        )}
        {state.step === 'failed' && (
          <>
            <p role="alert" className="alert alert-error signin-alert">
              {state.message}
            </p>
            <SignInPrompt />
          </>
        )}
        {state.step === 'prompt' && <SignInPrompt />}
      </main>
    </>
  );
}
