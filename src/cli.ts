#!/usr/bin/env node
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Membership } from './accounts/membership.entity';
import { AuditChannel } from './audit/audit-event.entity';
import { AuditSigningKeys, loadAuditSigningKeys } from './audit/audit-digest.keys';
import { describeFinding, parseSavedDigests, verifyAuditDigests } from './audit/audit-digest.verify';
import { purgeExpiredAuditEvents } from './audit/audit-retention';
import { verifyChain } from './audit/audit.service';
import { AccountService } from './accounts/account.service';
import { loadSessionSecret, parseDuration, SessionTokens } from './auth/session-tokens';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { Plan } from './entitlements/plans';
import { AppError } from './shared/errors';
import { serveMcpStdio } from './mcp/stdio';
import { createApp } from './server/app';
import { SessionService } from './sessions/session.service';
import { createLogger } from './shared/logger';

const USAGE = `Usage: keyledger <command> [options]

Commands:
  bootstrap --account NAME --email EMAIL [--plan FREE|STANDARD|PREMIUM|ENTERPRISE] [--ttl 1h]
      Creates an account owned by EMAIL; prints {"accountId","userId","token","consoleUrl"} as one JSON line
      (consoleUrl: a one-time sign-in link to the settings pages, valid 10 minutes).
  token --account ID --email EMAIL [--ttl 1h]
      Prints a session token for an existing member of the account.
  login-link --account ID --email EMAIL [--ttl 10m]
      Prints a one-time sign-in link to the settings pages for an existing member (at most 1d).
  audit verify --account ID
      Recomputes the account's audit hash chain; prints the result as JSON (every broken range, as
      verifyAuditChain answers), exits 1 when it is broken.
  audit verify --digests FILE [--account ID] [--jwks FILE]
      Checks signed audit digests saved as NDJSON (auditDigests nodes, one a line) against the stored log: each
      signature (with the service's published keys, AUDIT_SIGNING_KEY and AUDIT_SIGNING_KEYS_RETIRED, or a saved
      JWKS), the link to the digest before it, and that the chain recomputed from its start reaches each signed head.
      Prints one line per problem and exits 1 (a rewrite, even one made as a database superuser, shows here), or a
      summary and exits 0. Digests of purged ranges are listed as not checkable.
  audit purge [--account ID]
      Deletes events older than each account's plan keeps (after a plan change that shortened it, not before 30 days),
      recording a checkpoint; the database works out the cut-off. Prints counts as JSON.
  mcp
      Serves keyledger's MCP tools over stdio (for desktop MCP hosts) as the caller of KEYLEDGER_API_KEY (an API
      key) or KEYLEDGER_TOKEN (a session token); stdout carries only MCP frames, logs go to stderr.

Uses DATABASE_URL when set, else the embedded PostgreSQL under DATA_DIR (reused if the service runs).
Links start with PUBLIC_URL, else http://127.0.0.1:PORT (4000).`;

/** The longest `login-link --ttl`: a sign-in link is meant to be used at once. */
const MAX_LOGIN_LINK_TTL_SECONDS = 86_400;

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function ttlOf(values: Record<string, string | boolean | undefined>, fallback = '1h'): number {
  try {
    return parseDuration(typeof values.ttl === 'string' ? values.ttl : fallback);
  } catch (error) {
    throw new UsageError(`--ttl: ${(error as Error).message}`);
  }
}

/** Runs one CLI command; returns the line to print. Exported for tests. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') return USAGE;
  if (command === 'audit') return runAuditCommand(rest, env);
  if (command === 'mcp') return runMcpCommand(rest, env);
  const { values } = parseArgs({
    args: rest,
    options: {
      account: { type: 'string' },
      email: { type: 'string' },
      plan: { type: 'string' },
      ttl: { type: 'string' },
    },
    strict: true,
  });
  if (command !== 'bootstrap' && command !== 'token' && command !== 'login-link') {
    throw new UsageError(`unknown command "${command}"`);
  }
  const account = required(values, 'account');
  const email = required(values, 'email');
  const ttl = ttlOf(values, command === 'login-link' ? '10m' : '1h');
  if (command === 'login-link' && ttl > MAX_LOGIN_LINK_TTL_SECONDS) throw new UsageError('--ttl: at most 1d');
  const plan = values.plan ?? Plan.FREE;
  if (!Object.values(Plan).includes(plan as Plan)) {
    throw new UsageError(`--plan must be one of ${Object.values(Plan).join(', ')}`);
  }

  const config = loadConfig(env);
  // The CLI's stdout carries only its result; diagnostics go to stderr.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const loginLinks = new SessionService({
    baseUrl: () => config.publicUrl ?? `http://127.0.0.1:${config.port}`,
    secureCookies: false,
  });
  if (command === 'login-link') {
    const database = await openDatabase(config, logger);
    try {
      const link = await loginLinks.issueLoginLink(database.orm.em.fork(), {
        accountId: account,
        email,
        ttlSeconds: ttl,
      });
      return link.url;
    } finally {
      await database.close();
    }
  }
  const sessions = new SessionTokens(await loadSessionSecret(config), config);
  // Refuse before bootstrap writes an account whose token could not be printed.
  if (!sessions.canIssue) await sessions.issue({ userId: '', accountId: '' }, 1);
  const database = await openDatabase(config, logger);
  try {
    const em = database.orm.em.fork();
    if (command === 'bootstrap') {
      const meta = { requestId: `cli-${randomUUID()}`, ip: null, userAgent: 'keyledger-cli', via: AuditChannel.CLI };
      const created = await new AccountService().bootstrap(
        em,
        { accountName: account, email, plan: plan as Plan },
        meta,
      );
      const token = await sessions.issue({ userId: created.user.id, accountId: created.account.id }, ttl);
      const signInLink = await loginLinks.issueLoginLink(em, { accountId: created.account.id, email });
      return JSON.stringify({
        accountId: created.account.id,
        userId: created.user.id,
        token,
        consoleUrl: signInLink.url,
      });
    }
    const membership = /^[0-9a-f-]{36}$/i.test(account)
      ? await em.findOne(Membership, { account: account.toLowerCase(), user: { email: email.trim().toLowerCase() } })
      : null;
    if (!membership) throw new UsageError(`${email} is not a member of account ${account}`);
    return sessions.issue({ userId: membership.user.id, accountId: membership.account.id }, ttl);
  } finally {
    await database.close();
  }
}

/** Exit status the process should end with; `audit verify` sets 1 for a broken chain. */
let exitStatus = 0;

async function runAuditCommand(argv: string[], env: Record<string, string | undefined>): Promise<string> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify' && sub !== 'purge') throw new UsageError(`unknown audit command "${sub ?? ''}"`);
  const { values } = parseArgs({
    args: rest,
    options: { account: { type: 'string' }, digests: { type: 'string' }, jwks: { type: 'string' } },
    strict: true,
  });
  const digestFile = sub === 'verify' ? values.digests : undefined;
  if (sub !== 'verify' || !digestFile) {
    if (values.digests !== undefined) throw new UsageError('--digests is an option of audit verify');
    if (values.jwks !== undefined) throw new UsageError('--jwks goes with audit verify --digests');
  }
  const account = sub === 'verify' && !digestFile ? required(values, 'account') : values.account;
  if (account !== undefined && !/^[0-9a-f-]{36}$/i.test(account))
    throw new UsageError('--account must be an account id');
  const config = loadConfig(env);
  if (digestFile) return verifyDigestFile(config, digestFile, values.jwks, account);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    const em = database.orm.em.fork();
    if (sub === 'purge') return JSON.stringify(await purgeExpiredAuditEvents(em, account));
    const result = await verifyChain(em, account!.toLowerCase());
    if (!result.ok) exitStatus = 1;
    return JSON.stringify(result);
  } finally {
    await database.close();
  }
}

/** `audit verify --digests FILE`: one line per problem (exit 1), or a summary. */
async function verifyDigestFile(
  config: ReturnType<typeof loadConfig>,
  file: string,
  jwksFile: string | undefined,
  account: string | undefined,
): Promise<string> {
  const read = (name: string, what: string) =>
    readFile(name, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the ${what} ${name}: ${error.code ?? error.message}`);
    });
  const { digests, problems: unreadable } = parseSavedDigests(await read(file, 'digests file'));
  let keys: AuditSigningKeys;
  if (jwksFile) {
    try {
      keys = AuditSigningKeys.fromJwks(JSON.parse(await read(jwksFile, 'JWKS file')));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--jwks ${jwksFile}: ${(error as Error).message}`);
    }
  } else {
    keys = await loadAuditSigningKeys(config);
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await openDatabase(config, logger);
  try {
    const result = await verifyAuditDigests(database.orm.em.fork(), keys, digests, { accountId: account });
    const problems = [...unreadable, ...result.problems];
    const lines = [...problems, ...result.notCheckable].map(describeFinding);
    const purged = result.notCheckable.length > 0 ? `; ${result.notCheckable.length} not checkable (purged)` : '';
    if (problems.length > 0) {
      exitStatus = 1;
      lines.push(`FAILED: ${problems.length} problem(s) in ${result.digests} digest(s)${purged}`);
    } else {
      const through = Object.values(result.recomputedThrough);
      lines.push(
        `ok: ${result.digests - result.notCheckable.length} digest(s) of ${result.accounts} account(s) verified: signatures, digest chain, and the stored chain recomputed through seq ${Math.max(0, ...through)}${purged}`,
      );
    }
    return lines.join('\n');
  } finally {
    await database.close();
  }
}

/** `keyledger mcp`: the MCP tools over stdio until the host closes stdin; prints nothing itself. */
async function runMcpCommand(argv: string[], env: Record<string, string | undefined>): Promise<string> {
  parseArgs({ args: argv, options: {}, strict: true });
  const token = env.KEYLEDGER_API_KEY || env.KEYLEDGER_TOKEN;
  if (!token) throw new UsageError('set KEYLEDGER_API_KEY (an API key) or KEYLEDGER_TOKEN (a session token)');
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  // As the service does: export links the stdio face hands out are signed with a key derived from it.
  const sessionSecret = (await loadSessionSecret(config)) ?? randomBytes(32);
  const database = await openDatabase(config, logger);
  try {
    const core = await createApp({ config, orm: database.orm, logger, sessionSecret });
    try {
      await serveMcpStdio(core, { authorization: `Bearer ${token}`, logger });
    } finally {
      await core.close();
    }
  } finally {
    await database.close();
  }
  return '';
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (line) => {
      if (line !== '') process.stdout.write(`${line}\n`);
      process.exitCode = exitStatus;
    },
    (error: unknown) => {
      const known = error instanceof UsageError || error instanceof ConfigError || error instanceof AppError;
      process.stderr.write(`keyledger: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
      process.exitCode = known ? 2 : 1;
    },
  );
}
