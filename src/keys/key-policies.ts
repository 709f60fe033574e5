import type { Account } from '../accounts/account.entity';

/** An account's plan and key expiry policy: what a new key's expiry and the quota are computed from. */
export type KeyPolicy = Pick<
  Account,
  'plan' | 'requireKeyExpiration' | 'defaultKeyLifetimeDays' | 'maxKeyLifetimeDays'
>;

/**
 * The plan and key policy this instance last saw per account, so createApiKey
 * computes a key without reading them first. Never trusted: `api_key_create`
 * compares them with the account's row under its lock, and answers a stale
 * entry with the current values (the create is computed again from those), so
 * a key is never made under an old policy or plan. Bounded: past `limit`
 * accounts the least recently used is forgotten.
 */
export class KeyPolicies {
  private readonly known = new Map<string, KeyPolicy>();

  constructor(private readonly limit = 10_000) {}

  get(accountId: string): KeyPolicy | undefined {
    return this.known.get(accountId);
  }

  remember(accountId: string, policy: KeyPolicy): void {
    this.known.delete(accountId);
    this.known.set(accountId, policy);
    if (this.known.size > this.limit) this.known.delete(this.known.keys().next().value!);
  }
}
