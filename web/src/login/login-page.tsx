import { SignInPrompt } from '../shared/shell';

/** /app/login: signs in with the one-time code of a `keyledger login-link` link. */
export function LoginPage() {
  return (
    <main id="main" className="page">
      <SignInPrompt />
    </main>
  );
}
