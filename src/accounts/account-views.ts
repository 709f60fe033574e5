import type { Account } from './account.entity';

/** What the audited writes compute from: an account's name, plan and key expiry policy. */
export type AccountView = Pick<
  Account,
  'name' | 'plan' | 'requireKeyExpiration' | 'defaultKeyLifetimeDays' | 'maxKeyLifetimeDays'
>;

/** The account's view in a row's columns. */
export function accountViewOf(account: AccountView): AccountView {
  return {
    name: account.name,
    plan: account.plan,
    requireKeyExpiration: account.requireKeyExpiration,
    defaultKeyLifetimeDays: account.defaultKeyLifetimeDays,
    maxKeyLifetimeDays: account.maxKeyLifetimeDays,
  };
}

/**
 * This instance's last view of each account, so createApiKey and
 * updateAccountSettings compute their change without reading the account
 * first. Never trusted: the one statement that writes the change compares
 * the view with the account's row (`api_key_create` under the account's lock,
 * the settings update in its WHERE), and a stale view makes it miss and the
 * change is computed again from the current row — a key is never made, nor a
 * setting changed, from an old policy, plan or name. Bounded: past `limit`
 * accounts the least recently used is forgotten.
 */
export class AccountViews {
  private readonly known = new Map<string, AccountView>();

  constructor(private readonly limit = 10_000) {}

  get(accountId: string): AccountView | undefined {
    return this.known.get(accountId);
  }

  remember(accountId: string, view: AccountView): void {
    this.known.delete(accountId);
    this.known.set(accountId, view);
    if (this.known.size > this.limit) this.known.delete(this.known.keys().next().value!);
  }

  forget(accountId: string): void {
    this.known.delete(accountId);
  }
}

/** Runs tasks one after another per key (others in parallel); a key's entry goes when its last task ends. */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
