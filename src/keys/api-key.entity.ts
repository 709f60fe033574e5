import { randomUUID } from 'node:crypto';
import {
  ArrayType,
  BigIntType,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { Account } from '../accounts/account.entity';
import { User } from '../accounts/user.entity';
import type { ApiKeyScope } from '../auth/permissions';

export enum ApiKeyPurpose {
  TEMPORARY_INTEGRATION = 'TEMPORARY_INTEGRATION',
  LONG_RUNNING_WORKFLOW = 'LONG_RUNNING_WORKFLOW',
  TEAM_HANDOFF = 'TEAM_HANDOFF',
}

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  /** Replaced by rotation and still working until its grace period ends (`expiresAt`). */
  ROTATING = 'ROTATING',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}

/** Whether a key in this status still authenticates (ACTIVE, or ROTATING within its grace period). */
export function isWorking(status: ApiKeyStatus): boolean {
  return status === ApiKeyStatus.ACTIVE || status === ApiKeyStatus.ROTATING;
}

/**
 * An API key. Only the SHA-256 digest of its secret is stored; the secret
 * itself exists in the create/rotate response and nowhere else.
 */
@Entity({ tableName: 'api_keys' })
@Index({ properties: ['account', 'createdAt', 'id'] })
export class ApiKey {
  [OptionalProps]?:
    | 'description'
    | 'scopes'
    | 'createdAt'
    | 'createdBy'
    | 'owner'
    | 'handoffTo'
    | 'requestsSinceRotation'
    | 'createdByKeyId'
    | 'expiresAt'
    | 'lastUsedAt'
    | 'lastUsedIp'
    | 'revokedAt'
    | 'revokedBy'
    | 'revokeReason'
    | 'rotatedFromId'
    | 'rotatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Account, deleteRule: 'cascade' })
  account!: Account;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => ApiKeyPurpose, type: 'text' })
  purpose!: ApiKeyPurpose;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: ArrayType })
  scopes: ApiKeyScope[] = [];

  /** Hex SHA-256 of the secret; the lookup key. */
  @Property({ type: 'text', unique: true })
  digest!: string;

  /** Non-secret hint shown in lists, e.g. `kl_live_Ab12…wxyz`. */
  @Property({ type: 'text' })
  displayKey!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** The member whose authority the key carries (for a key made by a key: that key's creator). */
  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  /** The member whose current role bounds the key (its creator until a transfer); null once they are gone. */
  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  owner: User | null = null;

  /** For TEAM_HANDOFF keys: the team the key was handed to. */
  @Property({ type: 'text', nullable: true })
  handoffTo: string | null = null;

  /** Requests this key served after it was rotated (counted in batches; 0 before a rotation). */
  @Property({ type: new BigIntType('number'), default: 0 })
  requestsSinceRotation = 0;

  /** Set when another API key created this one. */
  @Property({ type: 'uuid', nullable: true })
  createdByKeyId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastUsedIp: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  revokedBy: User | null = null;

  @Property({ type: 'text', nullable: true })
  revokeReason: string | null = null;

  /** The key this one replaced by rotation; unique, so a key is rotated at most once. */
  @Property({ type: 'uuid', nullable: true, unique: true })
  rotatedFromId: string | null = null;

  /** When rotation replaced this key (its `expiresAt` then marks the end of the grace period). */
  @Property({ type: 'datetime', nullable: true })
  rotatedAt: Date | null = null;

  /** Status at `now`. */
  statusAt(now: Date): ApiKeyStatus {
    return apiKeyStatusAt(this, now);
  }
}

/** Status at `now` of a key or a key's row: revoked wins over expired; a rotated key still working is ROTATING. */
export function apiKeyStatusAt(
  key: { revokedAt: Date | null; expiresAt: Date | null; rotatedAt: Date | null },
  now: Date,
): ApiKeyStatus {
  if (key.revokedAt) return ApiKeyStatus.REVOKED;
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return ApiKeyStatus.EXPIRED;
  return key.rotatedAt ? ApiKeyStatus.ROTATING : ApiKeyStatus.ACTIVE;
}
