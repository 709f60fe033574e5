import type { KeyRowFragment } from '../gql/graphql';
import { EXPIRING_SOON_DAYS } from './constants';

/** What the status badge says about a key, beyond the API's ACTIVE / EXPIRED / REVOKED. */
export type KeyBadge = 'active' | 'expiring' | 'grace' | 'expired' | 'revoked';

export const BADGE_LABELS: Record<KeyBadge, string> = {
  active: 'Active',
  expiring: 'Expiring soon',
  grace: 'In rotation grace',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** A rotated key still working until its expiresAt is in grace; an active key within 7 days of expiry is expiring. */
export function keyBadge(key: Pick<KeyRowFragment, 'status' | 'expiresAt' | 'rotatedAt'>, now = Date.now()): KeyBadge {
  if (key.status === 'REVOKED') return 'revoked';
  if (key.status === 'EXPIRED') return 'expired';
  if (key.rotatedAt) return 'grace';
  if (key.expiresAt && new Date(key.expiresAt).getTime() - now < EXPIRING_SOON_DAYS * 86_400_000) return 'expiring';
  return 'active';
}
