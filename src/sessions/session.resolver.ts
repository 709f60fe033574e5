import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { viewerOf } from '../accounts/account.resolver';
import { responseHeadersOf, type Context } from '../server/graphql/context';
import { SignInPayload, SignInWithLoginLinkInput } from './session.types';

@Resolver()
export class SessionResolver {
  @Mutation(() => SignInPayload, {
    description:
      'Exchanges a one-time login link’s code for a session of the settings pages (an HttpOnly `kl_session` cookie). Over HTTP only.',
  })
  async signInWithLoginLink(
    @Arg('input', () => SignInWithLoginLinkInput) input: SignInWithLoginLinkInput,
    @Ctx() ctx: Context,
  ): Promise<SignInPayload> {
    const headers = responseHeadersOf(ctx);
    const signedIn = await ctx.services.sessions.signIn(ctx.em, input.code, ctx.meta, ctx.services.onAuditCommitted);
    headers.set('set-cookie', ctx.services.sessions.cookieFor(signedIn));
    // The rest of this answer is resolved as the member just signed in.
    ctx.principal = signedIn.principal;
    return Object.assign(new SignInPayload(), {
      viewer: await viewerOf(ctx, signedIn.principal),
      sessionExpiresAt: signedIn.expiresAt,
    });
  }

  @Mutation(() => Boolean, {
    description:
      'Ends the caller’s settings-page session and clears its cookie; false when the request carried no live session.',
  })
  async signOut(@Ctx() ctx: Context): Promise<boolean> {
    const headers = responseHeadersOf(ctx);
    const principal = ctx.principal;
    const ended =
      principal?.kind === 'user' && principal.sessionId
        ? await ctx.services.sessions.signOut(ctx.em, {
            accountId: principal.accountId,
            principal,
            meta: ctx.meta,
            onCommitted: ctx.services.onAuditCommitted,
          })
        : false;
    headers.set('set-cookie', ctx.services.sessions.clearedCookie());
    return ended;
  }
}
