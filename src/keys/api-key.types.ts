import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserType } from '../accounts/account.types';
import { ApiKeyScope, type Role } from '../auth/permissions';
import { PageInfo } from '../shared/pagination';
import { ApiKeyPurpose, ApiKeyStatus, apiKeyStatusAt } from './api-key.entity';
import type { ApiKeyView } from './api-key.view';

registerEnumType(ApiKeyPurpose, { name: 'ApiKeyPurpose', description: 'Why a key exists; shown to reviewers.' });
registerEnumType(ApiKeyStatus, { name: 'ApiKeyStatus' });
registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  description: 'Permissions a key can hold (keys:read is KEYS_READ, and so on).',
});

@ObjectType('ApiKey', {
  simpleResolvers: true,
  description: 'An API key. Its secret is never readable after create/rotate.',
})
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ApiKeyPurpose)
  purpose!: ApiKeyPurpose;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];

  @Field(() => String, { description: 'Non-secret hint such as kl_live_Ab12…wxyz.' })
  displayKey!: string;

  @Field(() => ApiKeyStatus)
  status!: ApiKeyStatus;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => UserType, { nullable: true })
  createdBy!: UserType | null;

  @Field(() => UserType, {
    nullable: true,
    description:
      'The member whose current role bounds the key (its creator until transferApiKey); null once they left the account.',
  })
  owner!: UserType | null;

  @Field(() => String, { nullable: true, description: 'For TEAM_HANDOFF keys: the team the key was handed to.' })
  handoffTo!: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'For a rotated key: requests it served since the rotation (counted in batches, a few seconds behind), so an admin sees when the integration has switched over. Null before a rotation.',
  })
  requestsSinceRotation!: number | null;

  /** The owner's role when it was read with the key (list rows); undefined when not read. */
  ownerRole?: Role | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastUsedIp!: string | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => UserType, { nullable: true })
  revokedBy!: UserType | null;

  @Field(() => String, { nullable: true })
  revokeReason!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When rotation replaced this key; expiresAt ends its grace period.',
  })
  rotatedAt!: Date | null;

  /** The GraphQL view of a key at `now` (an entity with its relations loaded, or a list row). */
  static from(key: ApiKeyView, now = new Date()): ApiKeyType {
    return Object.assign(new ApiKeyType(), {
      id: key.id,
      name: key.name,
      purpose: key.purpose,
      description: key.description,
      scopes: key.scopes,
      displayKey: key.displayKey,
      status: apiKeyStatusAt(key, now),
      createdAt: key.createdAt,
      createdBy: key.createdBy ? UserType.from(key.createdBy) : null,
      owner: key.owner ? UserType.from(key.owner) : null,
      ownerRole: key.ownerRole,
      handoffTo: key.handoffTo,
      requestsSinceRotation: key.rotatedAt ? key.requestsSinceRotation : null,
      expiresAt: key.expiresAt,
      lastUsedAt: key.lastUsedAt,
      lastUsedIp: key.lastUsedIp,
      revokedAt: key.revokedAt,
      revokedBy: key.revokedBy ? UserType.from(key.revokedBy) : null,
      revokeReason: key.revokeReason,
      rotatedAt: key.rotatedAt,
    });
  }
}

@ObjectType('ApiKeyUsageHour', { simpleResolvers: true, description: 'Requests a key served in one hour.' })
export class ApiKeyUsageHour {
  @Field(() => Date, { description: 'Start of the hour.' })
  hour!: Date;

  @Field(() => Int)
  requests!: number;
}

@ObjectType('KeyHealth', {
  simpleResolvers: true,
  description: 'Counts of the account’s ACTIVE keys that need a look; each matches an apiKeys filter.',
})
export class KeyHealthType {
  @Field(() => Int, { description: 'Never used (filter: status ACTIVE, neverUsed true).' })
  neverUsed!: number;

  @Field(() => Int, {
    description: 'Not used (or, never used, not created) in the last 30 days (status ACTIVE, unusedForDays 30).',
  })
  unusedFor30Days!: number;

  @Field(() => Int, { description: 'Expiring within 7 days (status ACTIVE, expiringWithinDays 7).' })
  expiringSoon!: number;

  @Field(() => Int, { description: 'Without an expiry (status ACTIVE, noExpiry true).' })
  noExpiry!: number;

  @Field(() => Int, {
    description: 'Owned by a member who can no longer manage keys (a MEMBER, or no longer in the account).',
  })
  ownerNotAdmin!: number;
}

@InputType('ApiKeyFilter', { description: 'Every condition given must hold.' })
export class ApiKeyFilter {
  @Field(() => ApiKeyStatus, { nullable: true })
  status?: ApiKeyStatus | null;

  @Field(() => ID, { nullable: true })
  ownerId?: string | null;

  @Field(() => ApiKeyPurpose, { nullable: true })
  purpose?: ApiKeyPurpose | null;

  @Field(() => Int, { nullable: true, description: 'Expiring within this many days from now (1–3650).' })
  expiringWithinDays?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Not used (or, never used, not created) within this many days (1–3650).',
  })
  unusedForDays?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'true: never used; false: used at least once.' })
  neverUsed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true: no expiry; false: an expiry is set.' })
  noExpiry?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'true: owned by a member who can no longer manage keys (as keyHealth.ownerNotAdmin counts); false: the others.',
  })
  ownerCannotManageKeys?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case-insensitive text in the name, description, display key or hand-off team (at most 100 characters).',
  })
  search?: string | null;
}

@InputType('TransferApiKeyInput')
export class TransferApiKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The member who owns the key from now on.' })
  toUserId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType('EndRotationGraceInput')
export class EndRotationGraceInput {
  @Field(() => ID, { description: 'The old (ROTATING) key.' })
  id!: string;
}

@ObjectType('ApiKeyEdge', { simpleResolvers: true })
export class ApiKeyEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => ApiKeyType)
  node!: ApiKeyType;
}

@ObjectType('ApiKeyConnection', { simpleResolvers: true })
export class ApiKeyConnection {
  @Field(() => [ApiKeyEdge])
  edges!: ApiKeyEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('CreateApiKeyPayload', { simpleResolvers: true })
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, {
    description:
      'The secret, shown this once (only its SHA-256 digest is stored). Empty when `replayed`: it was shown in the first response.',
  })
  secret!: string;

  @Field(() => Boolean, {
    description: 'True when a retry with the same idempotencyKey returned the key created the first time (no new key).',
  })
  replayed!: boolean;
}

@ObjectType('RotateApiKeyPayload', { simpleResolvers: true })
export class RotateApiKeyPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The new secret, shown this once.' })
  secret!: string;

  @Field(() => ApiKeyType, { description: 'The replaced key; it works until its expiresAt (the grace period).' })
  previousKey!: ApiKeyType;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => String)
  name!: string;

  @Field(() => ApiKeyPurpose)
  purpose!: ApiKeyPurpose;

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];

  @Field(() => Date, {
    nullable: true,
    description:
      "Omitted: the account's default lifetime. null: never expires (refused when the account requires expiry).",
  })
  expiresAt?: Date | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The receiving team: required for TEAM_HANDOFF keys, refused for other purposes.',
  })
  handoffTo?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Retrying with the same key (same account, within 24 hours) returns the first key instead of creating another.',
  })
  idempotencyKey?: string | null;
}

@InputType('RotateApiKeyInput')
export class RotateApiKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true, description: 'How long the old key keeps working; 0 (default) ends it at once.' })
  gracePeriodSeconds?: number | null;
}

@InputType('RevokeApiKeyInput')
export class RevokeApiKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@InputType('UpdateApiKeyInput')
export class UpdateApiKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}
