import type { Instance, SeededAccount } from '../support/harness';

/** A raw GraphQL answer over HTTP: status, body and the response's headers. */
export interface RawAnswer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  headers: Headers;
}

/** POSTs a GraphQL operation as a browser page would (JSON), with the given extra headers. */
export async function postGraphql(
  instance: Pick<Instance, 'url'>,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as RawAnswer['body'], headers: response.headers };
}

export const SIGN_IN = `mutation SignIn($code: String!) {
  signInWithLoginLink(input: { code: $code }) { sessionExpiresAt viewer { role user { id email } account { id } } }
}`;

/** A one-time code for a member, issued through the core API (as the CLI does). */
export async function loginCode(instance: Instance, accountId: string, email: string): Promise<string> {
  const link = await instance.app.services.sessions.issueLoginLink(instance.orm.em.fork(), { accountId, email });
  return link.code;
}

/** The `kl_session` value a `Set-Cookie` header carries. */
export function cookieValue(setCookie: string | null): string {
  const match = /^kl_session=([^;]*)/.exec(setCookie ?? '');
  if (!match) throw new Error(`no kl_session cookie in ${String(setCookie)}`);
  return match[1]!;
}

/** Signs a member in with a fresh login link; returns the cookie's secret and the whole `Set-Cookie` value. */
export async function signIn(
  instance: Instance,
  member: Pick<SeededAccount, 'accountId' | 'email'>,
): Promise<{ secret: string; setCookie: string; code: string; answer: RawAnswer }> {
  const code = await loginCode(instance, member.accountId, member.email);
  const answer = await postGraphql(instance, SIGN_IN, { code });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return { secret: cookieValue(setCookie), setCookie, code, answer };
}

/** The `Cookie` header of a request made with a session secret. */
export function withCookie(secret: string, extra: Record<string, string> = {}): Record<string, string> {
  return { cookie: `kl_session=${secret}`, ...extra };
}
