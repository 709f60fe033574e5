import type { KeyRowFragment } from '../gql/graphql';
import { EXPIRING_SOON_DAYS } from './constants';

/** What the status badge says about a key: the API's status, with ACTIVE keys near their expiry flagged. */
export type KeyBadge = 'active' | 'expiring' | 'grace' | 'expired' | 'revoked';

export const BADGE_LABELS: Record<KeyBadge, string> = {
  active: 'Active',
  expiring: 'Expiring soon',
  grace: 'In rotation grace',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** The API's status (ROTATING: in rotation grace); an ACTIVE key within 7 days of expiry is expiring. */
export function keyBadge(key: Pick<KeyRowFragment, 'status' | 'expiresAt'>, now = Date.now()): KeyBadge {
  switch (key.status) {
    case 'REVOKED':
      return 'revoked';
    case 'EXPIRED':
      return 'expired';
    case 'ROTATING':
      return 'grace';
    case 'ACTIVE':
      return key.expiresAt && new Date(key.expiresAt).getTime() - now < EXPIRING_SOON_DAYS * 86_400_000
        ? 'expiring'
        : 'active';
  }
}
