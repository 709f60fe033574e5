/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

export type Account = {
  __typename?: 'Account';
  /** Where the review of the audit log stands (audit:read). */
  auditReview?: Maybe<AuditReview>;
  createdAt: Scalars['DateTime']['output'];
  entitlements: Entitlements;
  id: Scalars['ID']['output'];
  /** Key hygiene at a glance (keys:read). */
  keyHealth: KeyHealth;
  members: Array<Membership>;
  name: Scalars['String']['output'];
  plan: Plan;
  settings: AccountSettings;
};

/** API key expiry policy. */
export type AccountSettings = {
  __typename?: 'AccountSettings';
  /** Lifetime given to a key created without expiresAt. */
  defaultKeyLifetimeDays: Scalars['Int']['output'];
  /** Longest lifetime a key may be given. */
  maxKeyLifetimeDays: Scalars['Int']['output'];
  /** When true, a key cannot be created without an expiry. */
  requireKeyExpiration: Scalars['Boolean']['output'];
};

/** An API key. Its secret is never readable after create/rotate. */
export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  createdBy?: Maybe<User>;
  description?: Maybe<Scalars['String']['output']>;
  /** Non-secret hint such as kl_live_Ab12…wxyz. */
  displayKey: Scalars['String']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** For TEAM_HANDOFF keys: the team the key was handed to. */
  handoffTo?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** Scopes the key holds that its owner’s current role does not allow: they grant nothing. */
  inactiveScopes: Array<ApiKeyScope>;
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  lastUsedIp?: Maybe<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  /** The member whose current role bounds the key (its creator until transferApiKey); null once they left the account. */
  owner?: Maybe<User>;
  purpose: ApiKeyPurpose;
  /** For a rotated key: requests it served since the rotation (counted in batches, a few seconds behind), so an admin sees when the integration has switched over. Null before a rotation. */
  requestsSinceRotation?: Maybe<Scalars['Int']['output']>;
  revokeReason?: Maybe<Scalars['String']['output']>;
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  revokedBy?: Maybe<User>;
  /** When rotation replaced this key; expiresAt ends its grace period. */
  rotatedAt?: Maybe<Scalars['DateTime']['output']>;
  scopes: Array<ApiKeyScope>;
  status: ApiKeyStatus;
  /** Requests per hour, oldest first, every hour present (zero when unused); `last` hours up to the current one (1–168, default 168: 7 days). Counted in batches, a few seconds behind. */
  usage: Array<ApiKeyUsageHour>;
};


/** An API key. Its secret is never readable after create/rotate. */
export type ApiKeyUsageArgs = {
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type ApiKeyConnection = {
  __typename?: 'ApiKeyConnection';
  edges: Array<ApiKeyEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ApiKeyEdge = {
  __typename?: 'ApiKeyEdge';
  cursor: Scalars['String']['output'];
  node: ApiKey;
};

/** Every condition given must hold. */
export type ApiKeyFilter = {
  /** Expiring within this many days from now (1–3650). */
  expiringWithinDays?: InputMaybe<Scalars['Int']['input']>;
  /** true: never used; false: used at least once. */
  neverUsed?: InputMaybe<Scalars['Boolean']['input']>;
  /** true: no expiry; false: an expiry is set. */
  noExpiry?: InputMaybe<Scalars['Boolean']['input']>;
  /** true: owned by a member who can no longer manage keys (as keyHealth.ownerNotAdmin counts); false: the others. */
  ownerCannotManageKeys?: InputMaybe<Scalars['Boolean']['input']>;
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  purpose?: InputMaybe<ApiKeyPurpose>;
  /** Case-insensitive text in the name, description, display key or hand-off team (at most 100 characters). */
  search?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<ApiKeyStatus>;
  /** Not used (or, never used, not created) within this many days (1–3650). */
  unusedForDays?: InputMaybe<Scalars['Int']['input']>;
};

/** Why a key exists; shown to reviewers. */
export type ApiKeyPurpose =
  | 'LONG_RUNNING_WORKFLOW'
  | 'TEAM_HANDOFF'
  | 'TEMPORARY_INTEGRATION';

/** Permissions a key can hold (keys:read is KEYS_READ, and so on). */
export type ApiKeyScope =
  | 'AUDIT_EXPORT'
  | 'AUDIT_READ'
  | 'AUDIT_WRITE'
  | 'KEYS_READ'
  | 'KEYS_WRITE'
  | 'MEMBERS_READ'
  | 'MEMBERS_WRITE'
  | 'SETTINGS_READ'
  | 'SETTINGS_WRITE';

export type ApiKeyStatus =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'REVOKED'
  | 'ROTATING';

/** Requests a key served in one hour. */
export type ApiKeyUsageHour = {
  __typename?: 'ApiKeyUsageHour';
  /** Start of the hour. */
  hour: Scalars['DateTime']['output'];
  requests: Scalars['Int']['output'];
};

export type AuditActor = {
  __typename?: 'AuditActor';
  /** Email of a user, display hint of an API key. */
  display?: Maybe<Scalars['String']['output']>;
  id?: Maybe<Scalars['ID']['output']>;
  /** An API key actor's scopes at the time of the event. */
  scopes?: Maybe<Array<ApiKeyScope>>;
  type: AuditActorType;
};

export type AuditActorType =
  | 'API_KEY'
  | 'SERVICE'
  | 'SYSTEM'
  | 'USER';

/** Consecutive seqs that fail verification for one reason. */
export type AuditChainBrokenRange = {
  __typename?: 'AuditChainBrokenRange';
  /** lastSeq - firstSeq + 1. */
  count: Scalars['Int']['output'];
  firstSeq: Scalars['Int']['output'];
  lastSeq: Scalars['Int']['output'];
  reason: Scalars['String']['output'];
};

export type AuditChainVerification = {
  __typename?: 'AuditChainVerification';
  /** Broken ranges in all: more than brokenRanges lists when over 1,000. */
  brokenRangeCount: Scalars['Int']['output'];
  /** Every broken range in seq order (verification goes on past a broken event); at most the first 1,000. */
  brokenRanges: Array<AuditChainBrokenRange>;
  /** Stored events examined, broken ones included. */
  checkedCount: Scalars['Int']['output'];
  /** That event, when it is stored. */
  firstBrokenEventId?: Maybe<Scalars['ID']['output']>;
  /** The first seq that fails: an event, or the first of missing ones. */
  firstBrokenSeq?: Maybe<Scalars['Int']['output']>;
  ok: Scalars['Boolean']['output'];
  /** Why firstBrokenSeq fails. */
  reason?: Maybe<Scalars['String']['output']>;
};

export type AuditChange = {
  __typename?: 'AuditChange';
  after?: Maybe<Scalars['JSON']['output']>;
  before?: Maybe<Scalars['JSON']['output']>;
  field: Scalars['String']['output'];
};

export type AuditChangeInput = {
  after?: InputMaybe<Scalars['JSON']['input']>;
  before?: InputMaybe<Scalars['JSON']['input']>;
  field: Scalars['String']['input'];
};

/** The face a change came through: GraphQL (HTTP or WebSocket), an MCP tool call (an AI agent), the CLI. */
export type AuditChannel =
  | 'CLI'
  | 'GRAPHQL'
  | 'MCP';

/** A signed digest of the account’s hash chain (Ed25519): keep them outside keyledger, and `keyledger audit verify --digests` proves later whether the stored log was rewritten. The signature covers the canonical JSON (sorted keys, no whitespace) of accountId, createdAt, fromSeq, headHash, keyId, previousDigestHash and toSeq. */
export type AuditDigest = {
  __typename?: 'AuditDigest';
  accountId: Scalars['ID']['output'];
  /** Signed as ISO 8601 with milliseconds, UTC. */
  createdAt: Scalars['DateTime']['output'];
  /** First seq covered: the previous digest’s toSeq + 1. */
  fromSeq: Scalars['Int']['output'];
  /** The hash of event toSeq. */
  headHash: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** The signing key: its kid in GET /.well-known/keyledger/audit-signing-keys (a JWKS). */
  keyId: Scalars['String']['output'];
  /** Hex SHA-256 of the previous digest’s canonical JSON followed by its signature; null for the first. */
  previousDigestHash?: Maybe<Scalars['String']['output']>;
  /** base64url Ed25519 signature over the canonical JSON. */
  signature: Scalars['String']['output'];
  /** Last seq covered: the chain head when the digest was made. */
  toSeq: Scalars['Int']['output'];
};

export type AuditDigestConnection = {
  __typename?: 'AuditDigestConnection';
  edges: Array<AuditDigestEdge>;
  pageInfo: PageInfo;
};

export type AuditDigestEdge = {
  __typename?: 'AuditDigestEdge';
  cursor: Scalars['String']['output'];
  node: AuditDigest;
};

/** One entry of the account’s append-only, hash-chained audit log. */
export type AuditEvent = {
  __typename?: 'AuditEvent';
  /** api_key.created, settings.updated, …, or the host product’s own (recordAuditEvents), e.g. invoice.paid */
  action: Scalars['String']['output'];
  actor: AuditActor;
  changes: Array<AuditChange>;
  /** This event’s position; valid as `after` in the auditEvents query and subscription. */
  cursor: Scalars['String']['output'];
  /** Hex SHA-256 of prevHash and this event’s canonical content. */
  hash: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  ip?: Maybe<Scalars['String']['output']>;
  metadata?: Maybe<Scalars['JSON']['output']>;
  occurredAt: Scalars['DateTime']['output'];
  outcome: AuditOutcome;
  prevHash: Scalars['String']['output'];
  /** For an event the host product recorded (recordAuditEvents): when it says the event happened. occurredAt is always when keyledger recorded it. Null for keyledger’s own events. */
  reportedAt?: Maybe<Scalars['DateTime']['output']>;
  requestId?: Maybe<Scalars['String']['output']>;
  /** Per account: 1, 2, 3, … without holes. */
  seq: Scalars['Int']['output'];
  /** For an event the host product recorded: the API key or member that submitted it (actor is the host’s own actor). Null for keyledger’s own events. */
  submittedBy?: Maybe<AuditActor>;
  target?: Maybe<AuditTarget>;
  userAgent?: Maybe<Scalars['String']['output']>;
  /** Which face the change came through (MCP: an AI agent’s tool call). */
  via: AuditChannel;
};

/** Who acted, in the host product’s own terms. */
export type AuditEventActorInput = {
  /** Shown in the log, e.g. an email (up to 200 characters). */
  display?: InputMaybe<Scalars['String']['input']>;
  /** The host product’s id of the actor (up to 255 characters). */
  id: Scalars['ID']['input'];
  type: AuditActorType;
};

export type AuditEventConnection = {
  __typename?: 'AuditEventConnection';
  edges: Array<AuditEventEdge>;
  pageInfo: PageInfo;
};

export type AuditEventEdge = {
  __typename?: 'AuditEventEdge';
  cursor: Scalars['String']['output'];
  node: AuditEvent;
};

export type AuditEventFilter = {
  /** Exact action names, or prefixes ending in .* (api_key.*). */
  actions?: InputMaybe<Array<Scalars['String']['input']>>;
  actorId?: InputMaybe<Scalars['ID']['input']>;
  actorType?: InputMaybe<AuditActorType>;
  /** Inclusive. */
  occurredAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Exclusive. */
  occurredBefore?: InputMaybe<Scalars['DateTime']['input']>;
  outcome?: InputMaybe<AuditOutcome>;
  /** Only events the host product recorded through this API key or member (submittedBy.id). */
  submittedById?: InputMaybe<Scalars['ID']['input']>;
  targetId?: InputMaybe<Scalars['ID']['input']>;
  /** Only events that came through this face. */
  via?: InputMaybe<AuditChannel>;
};

/** One event of the host product, as recordAuditEvents takes it. */
export type AuditEventInput = {
  /** Dotted lower-case name, ^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$ (invoice.paid). keyledger’s own prefixes (account. api_key. audit. member. plan. session. settings.) are refused. */
  action: Scalars['String']['input'];
  actor: AuditEventActorInput;
  /** At most 50, and 8 kB of JSON. */
  changes?: InputMaybe<Array<AuditChangeInput>>;
  /** A JSON object of at most 8 kB. */
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  /** When it happened, by the host product’s clock; kept as reportedAt beside keyledger’s own occurredAt. At most 5 minutes in the future. */
  occurredAt: Scalars['DateTime']['input'];
  /** Default SUCCESS. */
  outcome?: InputMaybe<AuditOutcome>;
  target: AuditEventTargetInput;
};

/** What was acted on, in the host product’s own terms. */
export type AuditEventTargetInput = {
  /** Up to 200 characters. */
  display?: InputMaybe<Scalars['String']['input']>;
  /** Up to 255 characters. */
  id?: InputMaybe<Scalars['ID']['input']>;
  /** The host product’s own word for the kind of thing, ^[a-z][a-z0-9_]*$ (e.g. invoice_settings). */
  type: Scalars['String']['input'];
};

export type AuditExport = {
  __typename?: 'AuditExport';
  /** Signed link, valid until expiresAt, that streams the export. */
  downloadUrl: Scalars['String']['output'];
  expiresAt: Scalars['DateTime']['output'];
  format: AuditExportFormat;
  id: Scalars['ID']['output'];
};

export type AuditExportFormat =
  | 'CSV'
  | 'NDJSON';

export type AuditOrder =
  | 'NEWEST_FIRST'
  | 'OLDEST_FIRST';

export type AuditOutcome =
  | 'DENIED'
  | 'SUCCESS';

/** Where the review of the audit log stands, and who owns it. */
export type AuditReview = {
  __typename?: 'AuditReview';
  /** Actions that matter most to the account: exact names or prefixes such as api_key.*. */
  importantActions: Array<Scalars['String']['output']>;
  /** The last review’s note. */
  note?: Maybe<Scalars['String']['output']>;
  /** When the oldest unreviewed event was recorded. */
  oldestUnreviewedAt?: Maybe<Scalars['DateTime']['output']>;
  reviewedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Every event up to this seq has been reviewed; 0 before the first review. */
  reviewedThroughSeq: Scalars['Int']['output'];
  /** Who marked the last review. */
  reviewer?: Maybe<User>;
  /** Members who may mark the log reviewed. */
  reviewers: Array<User>;
  /** Events after reviewedThroughSeq within the plan’s retention; the review events themselves are not counted. */
  unreviewedCount: Scalars['Int']['output'];
  /** Of those, the events whose action is among importantActions. */
  unreviewedImportantCount: Scalars['Int']['output'];
};

export type AuditTarget = {
  __typename?: 'AuditTarget';
  display?: Maybe<Scalars['String']['output']>;
  id?: Maybe<Scalars['ID']['output']>;
  /** keyledger’s own kinds (api_key, account, user, audit_log) or the host product’s word (invoice_settings). */
  type: Scalars['String']['output'];
};

export type ChangeMemberRoleInput = {
  role: Role;
  userId: Scalars['ID']['input'];
};

export type ChangePlanInput = {
  plan: Plan;
};

export type CreateApiKeyInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** Omitted: the account's default lifetime. null: never expires (refused when the account requires expiry). */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** The receiving team: required for TEAM_HANDOFF keys, refused for other purposes. */
  handoffTo?: InputMaybe<Scalars['String']['input']>;
  /** Retrying with the same key (same account, within 24 hours) returns the first key instead of creating another. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  purpose: ApiKeyPurpose;
  scopes: Array<ApiKeyScope>;
};

export type CreateApiKeyPayload = {
  __typename?: 'CreateApiKeyPayload';
  apiKey: ApiKey;
  /** True when a retry with the same idempotencyKey returned the key created the first time (no new key). */
  replayed: Scalars['Boolean']['output'];
  /** The secret, shown this once (only its SHA-256 digest is stored). Empty when `replayed`: it was shown in the first response. */
  secret: Scalars['String']['output'];
};

export type CreateAuditExportInput = {
  filter?: InputMaybe<AuditEventFilter>;
  format: AuditExportFormat;
};

export type EndRotationGraceInput = {
  /** The old (ROTATING) key. */
  id: Scalars['ID']['input'];
};

/** What the account's plan includes; clients hide what it lacks. */
export type Entitlements = {
  __typename?: 'Entitlements';
  /** After a plan change that shortened the audit retention, older events stay stored (not shown) until this instant, 30 days after the change, and are purged after it; changing back before then shows them again. Null when nothing is held back. */
  auditHistoryKeptUntil?: Maybe<Scalars['DateTime']['output']>;
  /** Days of audit history visible; null when the log is not included. */
  auditRetentionDays?: Maybe<Scalars['Int']['output']>;
  features: Array<Feature>;
  maxActiveApiKeys: Scalars['Int']['output'];
  plan: Plan;
};

/** Plan-gated capabilities. */
export type Feature =
  | 'AUDIT_EXPORT'
  | 'AUDIT_LOG'
  | 'AUDIT_STREAM';

export type InviteMemberInput = {
  email: Scalars['String']['input'];
  role: Role;
};

/** Counts of the account’s ACTIVE keys that need a look; each matches an apiKeys filter. */
export type KeyHealth = {
  __typename?: 'KeyHealth';
  /** Expiring within 7 days (status ACTIVE, expiringWithinDays 7). */
  expiringSoon: Scalars['Int']['output'];
  /** Never used (filter: status ACTIVE, neverUsed true). */
  neverUsed: Scalars['Int']['output'];
  /** Without an expiry (status ACTIVE, noExpiry true). */
  noExpiry: Scalars['Int']['output'];
  /** Owned by a member who can no longer manage keys (a MEMBER, or no longer in the account). */
  ownerNotAdmin: Scalars['Int']['output'];
  /** Not used (or, never used, not created) in the last 30 days (status ACTIVE, unusedForDays 30). */
  unusedFor30Days: Scalars['Int']['output'];
};

export type MarkAuditReviewedInput = {
  /** Up to 1,000 characters. */
  note?: InputMaybe<Scalars['String']['input']>;
  /** The newest seq reviewed; forward only, never beyond the newest event. */
  throughSeq: Scalars['Int']['input'];
};

export type Membership = {
  __typename?: 'Membership';
  createdAt: Scalars['DateTime']['output'];
  role: Role;
  user: User;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Changes a member role; the last OWNER cannot be demoted. */
  changeMemberRole: Membership;
  /** Changes the plan (OWNER only; stands in for billing). */
  changePlan: Account;
  /** Creates a key; the secret is in this response only. */
  createApiKey: CreateApiKeyPayload;
  /** Signs a digest of the account’s audit chain up to its newest event now (audit:read for API keys), recorded as audit.digest_created (covered by the next digest). Idempotent: with no new events since the latest digest, returns that one. */
  createAuditDigest?: Maybe<AuditDigest>;
  /** Prepares an export of the log (audit:export for API keys); download it from downloadUrl within 15 minutes. */
  createAuditExport?: Maybe<AuditExport>;
  /** Ends a rotated (ROTATING) key’s grace period now: it fails from the next request. Returns the old key. */
  endRotationGrace: ApiKey;
  /** Adds a member at once, creating the user if new (no email is sent). */
  inviteMember: Membership;
  /** Marks the log reviewed through a seq (an audit reviewer signed in as a user). */
  markAuditReviewed?: Maybe<AuditReview>;
  /** Records the host product’s own events (1 to 500, in order, all or none) into the account’s audit log, on every plan (audit:write for API keys; OWNER/ADMIN). Viewing them needs AUDIT_LOG as ever. */
  recordAuditEvents: RecordAuditEventsPayload;
  /** Removes a member (or leaves, for oneself); the last OWNER cannot be removed. */
  removeMember: Scalars['Boolean']['output'];
  /** Revokes at once; revoking again changes nothing. */
  revokeApiKey: ApiKey;
  /** New secret; the old key works for gracePeriodSeconds, then expires. */
  rotateApiKey: RotateApiKeyPayload;
  /** Makes a member an audit reviewer, or not (OWNER/ADMIN; members:write for API keys). */
  setAuditReviewer?: Maybe<AuditReview>;
  /** Names the actions that matter most to the account, e.g. api_key.* (OWNER/ADMIN; settings:write for API keys). */
  setImportantAuditActions?: Maybe<AuditReview>;
  /** Exchanges a one-time login link’s code for a session of the settings pages (an HttpOnly `kl_session` cookie). Over HTTP only. */
  signInWithLoginLink: SignInPayload;
  /** Ends the caller’s settings-page session and clears its cookie; false when the request carried no live session. */
  signOut: Scalars['Boolean']['output'];
  /** Hands a key to another member (keys:write, and the caller must hold the key’s scopes): the key acts with the new owner’s role from then on; inactiveScopes names what stops working. */
  transferApiKey: ApiKey;
  /** Changes the API key expiry policy (OWNER/ADMIN, or settings:write). */
  updateAccountSettings: AccountSettings;
  /** Renames a key or changes its description. */
  updateApiKey: ApiKey;
};


export type MutationChangeMemberRoleArgs = {
  input: ChangeMemberRoleInput;
};


export type MutationChangePlanArgs = {
  input: ChangePlanInput;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationCreateAuditExportArgs = {
  input: CreateAuditExportInput;
};


export type MutationEndRotationGraceArgs = {
  input: EndRotationGraceInput;
};


export type MutationInviteMemberArgs = {
  input: InviteMemberInput;
};


export type MutationMarkAuditReviewedArgs = {
  input: MarkAuditReviewedInput;
};


export type MutationRecordAuditEventsArgs = {
  input: RecordAuditEventsInput;
};


export type MutationRemoveMemberArgs = {
  input: RemoveMemberInput;
};


export type MutationRevokeApiKeyArgs = {
  input: RevokeApiKeyInput;
};


export type MutationRotateApiKeyArgs = {
  input: RotateApiKeyInput;
};


export type MutationSetAuditReviewerArgs = {
  input: SetAuditReviewerInput;
};


export type MutationSetImportantAuditActionsArgs = {
  input: SetImportantAuditActionsInput;
};


export type MutationSignInWithLoginLinkArgs = {
  input: SignInWithLoginLinkInput;
};


export type MutationTransferApiKeyArgs = {
  input: TransferApiKeyInput;
};


export type MutationUpdateAccountSettingsArgs = {
  input: UpdateAccountSettingsInput;
};


export type MutationUpdateApiKeyArgs = {
  input: UpdateApiKeyInput;
};

/** Relay page information. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Plan =
  | 'ENTERPRISE'
  | 'FREE'
  | 'PREMIUM'
  | 'STANDARD';

/** What a plan includes, as the one table in code says (the pricing page’s facts). */
export type PlanEntitlements = {
  __typename?: 'PlanEntitlements';
  /** Days of audit history visible; null when the log is not included. */
  auditRetentionDays?: Maybe<Scalars['Int']['output']>;
  features: Array<Feature>;
  maxActiveApiKeys: Scalars['Int']['output'];
  plan: Plan;
};

export type Query = {
  __typename?: 'Query';
  /** The caller's account. */
  account: Account;
  /** One key of the caller’s account (keys:read). */
  apiKey?: Maybe<ApiKey>;
  /** Keys of the caller’s account, newest first (keys:read). */
  apiKeys: ApiKeyConnection;
  /** The account’s signed audit digests, oldest first (audit:read for API keys); save them (e.g. as NDJSON) and pass `after` to fetch only new ones. Pages of at most 500. */
  auditDigests?: Maybe<AuditDigestConnection>;
  /** The account’s audit log, newest first by default (audit:read for API keys). Pages of at most 500. */
  auditEvents?: Maybe<AuditEventConnection>;
  /** What the caller's plan includes. */
  entitlements: Entitlements;
  /** Every plan, cheapest first, with what it includes (any caller; no scope needed). */
  plans: Array<PlanEntitlements>;
  /** Recomputes the hash chain (optionally of events in [from, to)) from one consistent snapshot, past any broken event: reports every broken range, and firstBrokenSeq names the first. */
  verifyAuditChain?: Maybe<AuditChainVerification>;
  /** The caller: member or API key, its account, role and scopes. */
  viewer: Viewer;
};


export type QueryApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type QueryApiKeysArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ApiKeyFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<ApiKeyStatus>;
};


export type QueryAuditDigestsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAuditEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  order?: InputMaybe<AuditOrder>;
};


export type QueryVerifyAuditChainArgs = {
  from?: InputMaybe<Scalars['DateTime']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type RecordAuditEventsInput = {
  /** 1 to 500 events, recorded in this order. */
  events: Array<AuditEventInput>;
  /** A retry with the same key (same account, within 24 hours) answers the first call’s events and records nothing. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
};

export type RecordAuditEventsPayload = {
  __typename?: 'RecordAuditEventsPayload';
  /** In the order given, with consecutive seqs. */
  events: Array<RecordedAuditEvent>;
  /** True when a repeated idempotencyKey answered the first call’s events. */
  replayed: Scalars['Boolean']['output'];
};

/** Where a recorded event sits in the chain. */
export type RecordedAuditEvent = {
  __typename?: 'RecordedAuditEvent';
  action: Scalars['String']['output'];
  /** Valid as `after` in the auditEvents query and subscription. */
  cursor: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** When keyledger recorded it (the chain’s time). */
  occurredAt: Scalars['DateTime']['output'];
  /** When the host product says it happened. */
  reportedAt?: Maybe<Scalars['DateTime']['output']>;
  seq: Scalars['Int']['output'];
};

export type RemoveMemberInput = {
  /** Hand the member’s working keys to this member (needs keys:write too) instead of revoking them (the default). */
  transferKeysTo?: InputMaybe<Scalars['ID']['input']>;
  userId: Scalars['ID']['input'];
};

export type RevokeApiKeyInput = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};

export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER';

export type RotateApiKeyInput = {
  /** How long the old key keeps working; 0 (default) ends it at once. */
  gracePeriodSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};

export type RotateApiKeyPayload = {
  __typename?: 'RotateApiKeyPayload';
  apiKey: ApiKey;
  /** The replaced key; it works until its expiresAt (the grace period). */
  previousKey: ApiKey;
  /** The new secret, shown this once. */
  secret: Scalars['String']['output'];
};

export type SetAuditReviewerInput = {
  reviewer: Scalars['Boolean']['input'];
  /** Any member: a reviewer reads the audit log (audit:read) whatever their role. */
  userId: Scalars['ID']['input'];
};

export type SetImportantAuditActionsInput = {
  /** At most 50: exact action names or prefixes such as api_key.* (replaces). */
  actions: Array<Scalars['String']['input']>;
};

export type SignInPayload = {
  __typename?: 'SignInPayload';
  /** When the session ends unless signed out first. */
  sessionExpiresAt: Scalars['DateTime']['output'];
  /** The member now signed in. */
  viewer: Viewer;
};

export type SignInWithLoginLinkInput = {
  /** The code from the link’s `#code=` fragment. */
  code: Scalars['String']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Live audit events of the caller’s account, in seq order (audit:read for API keys). With `after` (any event’s cursor), stored events after it are replayed first, with no gap or duplicate at the seam. */
  auditEvents: AuditEvent;
};


export type SubscriptionAuditEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
};

export type TransferApiKeyInput = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
  /** The member who owns the key from now on. */
  toUserId: Scalars['ID']['input'];
};

export type UpdateAccountSettingsInput = {
  defaultKeyLifetimeDays?: InputMaybe<Scalars['Int']['input']>;
  maxKeyLifetimeDays?: InputMaybe<Scalars['Int']['input']>;
  requireKeyExpiration?: InputMaybe<Scalars['Boolean']['input']>;
};

export type UpdateApiKeyInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
};

export type User = {
  __typename?: 'User';
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name?: Maybe<Scalars['String']['output']>;
};

/** Who is calling: a member (user) or an API key, and with what rights. */
export type Viewer = {
  __typename?: 'Viewer';
  account: Account;
  /** Set when the caller is an API key. */
  apiKey?: Maybe<ApiKey>;
  /** The member's role (for an API key: its owner's). */
  role?: Maybe<Role>;
  /** An API key's effective scopes (its scopes within its owner's role); null for a user. */
  scopes?: Maybe<Array<ApiKeyScope>>;
  /** The signed-in member, or the member an API key acts for. */
  user?: Maybe<User>;
};

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', role?: Role | null, scopes?: Array<ApiKeyScope> | null, user?: { __typename?: 'User', id: string, email: string } | null, apiKey?: { __typename?: 'ApiKey', id: string, displayKey: string } | null, account: { __typename?: 'Account', id: string, name: string, plan: Plan } } };

export type AccountQueryVariables = Exact<{ [key: string]: never; }>;


export type AccountQuery = { __typename?: 'Query', account: { __typename?: 'Account', id: string, name: string, plan: Plan, settings: { __typename?: 'AccountSettings', requireKeyExpiration: boolean, defaultKeyLifetimeDays: number, maxKeyLifetimeDays: number }, members: Array<{ __typename?: 'Membership', role: Role, createdAt: string, user: { __typename?: 'User', id: string, email: string, name?: string | null } }>, entitlements: { __typename?: 'Entitlements', plan: Plan, features: Array<Feature>, maxActiveApiKeys: number, auditRetentionDays?: number | null } } };

export type AccountNameQueryVariables = Exact<{ [key: string]: never; }>;


export type AccountNameQuery = { __typename?: 'Query', account: { __typename?: 'Account', id: string, name: string } };

export type EntitlementsQueryVariables = Exact<{ [key: string]: never; }>;


export type EntitlementsQuery = { __typename?: 'Query', entitlements: { __typename?: 'Entitlements', plan: Plan, features: Array<Feature>, maxActiveApiKeys: number, auditRetentionDays?: number | null, auditHistoryKeptUntil?: string | null } };

export type UpdateAccountSettingsMutationVariables = Exact<{
  input: UpdateAccountSettingsInput;
}>;


export type UpdateAccountSettingsMutation = { __typename?: 'Mutation', updateAccountSettings: { __typename?: 'AccountSettings', requireKeyExpiration: boolean, defaultKeyLifetimeDays: number, maxKeyLifetimeDays: number } };

export type InviteMemberMutationVariables = Exact<{
  input: InviteMemberInput;
}>;


export type InviteMemberMutation = { __typename?: 'Mutation', inviteMember: { __typename?: 'Membership', role: Role, user: { __typename?: 'User', id: string, email: string } } };

export type ChangeMemberRoleMutationVariables = Exact<{
  input: ChangeMemberRoleInput;
}>;


export type ChangeMemberRoleMutation = { __typename?: 'Mutation', changeMemberRole: { __typename?: 'Membership', role: Role, user: { __typename?: 'User', id: string, email: string } } };

export type RemoveMemberMutationVariables = Exact<{
  input: RemoveMemberInput;
}>;


export type RemoveMemberMutation = { __typename?: 'Mutation', removeMember: boolean };

export type ChangePlanMutationVariables = Exact<{
  input: ChangePlanInput;
}>;


export type ChangePlanMutation = { __typename?: 'Mutation', changePlan: { __typename?: 'Account', id: string, plan: Plan, entitlements: { __typename?: 'Entitlements', features: Array<Feature>, maxActiveApiKeys: number, auditRetentionDays?: number | null, auditHistoryKeptUntil?: string | null } } };

export type PlansQueryVariables = Exact<{ [key: string]: never; }>;


export type PlansQuery = { __typename?: 'Query', plans: Array<{ __typename?: 'PlanEntitlements', plan: Plan, features: Array<Feature>, maxActiveApiKeys: number, auditRetentionDays?: number | null }> };

export type ApiKeyFieldsFragment = { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null };

export type ApiKeysQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<ApiKeyStatus>;
}>;


export type ApiKeysQuery = { __typename?: 'Query', apiKeys: { __typename?: 'ApiKeyConnection', totalCount: number, edges: Array<{ __typename?: 'ApiKeyEdge', cursor: string, node: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null } } };

export type ApiKeyQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ApiKeyQuery = { __typename?: 'Query', apiKey?: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } | null };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { __typename?: 'Mutation', createApiKey: { __typename?: 'CreateApiKeyPayload', secret: string, replayed: boolean, apiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } } };

export type RotateApiKeyMutationVariables = Exact<{
  input: RotateApiKeyInput;
}>;


export type RotateApiKeyMutation = { __typename?: 'Mutation', rotateApiKey: { __typename?: 'RotateApiKeyPayload', secret: string, apiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null }, previousKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } } };

export type RevokeApiKeyMutationVariables = Exact<{
  input: RevokeApiKeyInput;
}>;


export type RevokeApiKeyMutation = { __typename?: 'Mutation', revokeApiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } };

export type UpdateApiKeyMutationVariables = Exact<{
  input: UpdateApiKeyInput;
}>;


export type UpdateApiKeyMutation = { __typename?: 'Mutation', updateApiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } };

export type FilteredApiKeysQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ApiKeyFilter>;
}>;


export type FilteredApiKeysQuery = { __typename?: 'Query', apiKeys: { __typename?: 'ApiKeyConnection', totalCount: number, edges: Array<{ __typename?: 'ApiKeyEdge', cursor: string, node: { __typename?: 'ApiKey', inactiveScopes: Array<ApiKeyScope>, id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type ApiKeyUsageQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  last?: InputMaybe<Scalars['Int']['input']>;
}>;


export type ApiKeyUsageQuery = { __typename?: 'Query', apiKey?: { __typename?: 'ApiKey', id: string, requestsSinceRotation?: number | null, lastUsedAt?: string | null, lastUsedIp?: string | null, usage: Array<{ __typename?: 'ApiKeyUsageHour', hour: string, requests: number }> } | null };

export type KeyHealthQueryVariables = Exact<{ [key: string]: never; }>;


export type KeyHealthQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', account: { __typename?: 'Account', id: string, keyHealth: { __typename?: 'KeyHealth', neverUsed: number, unusedFor30Days: number, expiringSoon: number, noExpiry: number, ownerNotAdmin: number } } } };

export type TransferApiKeyMutationVariables = Exact<{
  input: TransferApiKeyInput;
}>;


export type TransferApiKeyMutation = { __typename?: 'Mutation', transferApiKey: { __typename?: 'ApiKey', inactiveScopes: Array<ApiKeyScope>, id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } };

export type EndRotationGraceMutationVariables = Exact<{
  input: EndRotationGraceInput;
}>;


export type EndRotationGraceMutation = { __typename?: 'Mutation', endRotationGrace: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null, revokedBy?: { __typename?: 'User', id: string, email: string } | null } };

export type RecordAuditEventsMutationVariables = Exact<{
  input: RecordAuditEventsInput;
}>;


export type RecordAuditEventsMutation = { __typename?: 'Mutation', recordAuditEvents: { __typename?: 'RecordAuditEventsPayload', replayed: boolean, events: Array<{ __typename?: 'RecordedAuditEvent', id: string, seq: number, cursor: string, action: string, occurredAt: string, reportedAt?: string | null }> } };

export type IngestedAuditEventFieldsFragment = { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, reportedAt?: string | null, action: string, outcome: AuditOutcome, metadata?: unknown | null, via: AuditChannel, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null };

export type IngestedAuditEventsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
  order?: InputMaybe<AuditOrder>;
}>;


export type IngestedAuditEventsQuery = { __typename?: 'Query', auditEvents?: { __typename?: 'AuditEventConnection', edges: Array<{ __typename?: 'AuditEventEdge', node: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, reportedAt?: string | null, action: string, outcome: AuditOutcome, metadata?: unknown | null, via: AuditChannel, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null } }> } | null };

export type IngestedAuditEventStreamSubscriptionVariables = Exact<{
  filter?: InputMaybe<AuditEventFilter>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type IngestedAuditEventStreamSubscription = { __typename?: 'Subscription', auditEvents: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, reportedAt?: string | null, action: string, outcome: AuditOutcome, metadata?: unknown | null, via: AuditChannel, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null } };

export type AuditReviewFieldsFragment = { __typename?: 'AuditReview', reviewedThroughSeq: number, reviewedAt?: string | null, note?: string | null, unreviewedCount: number, unreviewedImportantCount: number, oldestUnreviewedAt?: string | null, importantActions: Array<string>, reviewer?: { __typename?: 'User', id: string, email: string } | null, reviewers: Array<{ __typename?: 'User', id: string, email: string }> };

export type AuditReviewQueryVariables = Exact<{ [key: string]: never; }>;


export type AuditReviewQuery = { __typename?: 'Query', account: { __typename?: 'Account', id: string, auditReview?: { __typename?: 'AuditReview', reviewedThroughSeq: number, reviewedAt?: string | null, note?: string | null, unreviewedCount: number, unreviewedImportantCount: number, oldestUnreviewedAt?: string | null, importantActions: Array<string>, reviewer?: { __typename?: 'User', id: string, email: string } | null, reviewers: Array<{ __typename?: 'User', id: string, email: string }> } | null } };

export type SetAuditReviewerMutationVariables = Exact<{
  input: SetAuditReviewerInput;
}>;


export type SetAuditReviewerMutation = { __typename?: 'Mutation', setAuditReviewer?: { __typename?: 'AuditReview', reviewedThroughSeq: number, reviewedAt?: string | null, note?: string | null, unreviewedCount: number, unreviewedImportantCount: number, oldestUnreviewedAt?: string | null, importantActions: Array<string>, reviewer?: { __typename?: 'User', id: string, email: string } | null, reviewers: Array<{ __typename?: 'User', id: string, email: string }> } | null };

export type SetImportantAuditActionsMutationVariables = Exact<{
  input: SetImportantAuditActionsInput;
}>;


export type SetImportantAuditActionsMutation = { __typename?: 'Mutation', setImportantAuditActions?: { __typename?: 'AuditReview', reviewedThroughSeq: number, reviewedAt?: string | null, note?: string | null, unreviewedCount: number, unreviewedImportantCount: number, oldestUnreviewedAt?: string | null, importantActions: Array<string>, reviewer?: { __typename?: 'User', id: string, email: string } | null, reviewers: Array<{ __typename?: 'User', id: string, email: string }> } | null };

export type MarkAuditReviewedMutationVariables = Exact<{
  input: MarkAuditReviewedInput;
}>;


export type MarkAuditReviewedMutation = { __typename?: 'Mutation', markAuditReviewed?: { __typename?: 'AuditReview', reviewedThroughSeq: number, reviewedAt?: string | null, note?: string | null, unreviewedCount: number, unreviewedImportantCount: number, oldestUnreviewedAt?: string | null, importantActions: Array<string>, reviewer?: { __typename?: 'User', id: string, email: string } | null, reviewers: Array<{ __typename?: 'User', id: string, email: string }> } | null };

export type AuditEventFieldsFragment = { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, via: AuditChannel, reportedAt?: string | null, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null };

export type AuditEventsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
  order?: InputMaybe<AuditOrder>;
}>;


export type AuditEventsQuery = { __typename?: 'Query', auditEvents?: { __typename?: 'AuditEventConnection', edges: Array<{ __typename?: 'AuditEventEdge', cursor: string, node: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, via: AuditChannel, reportedAt?: string | null, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null } } | null };

export type AccountWithAuditEventsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type AccountWithAuditEventsQuery = { __typename?: 'Query', account: { __typename?: 'Account', id: string, name: string }, auditEvents?: { __typename?: 'AuditEventConnection', edges: Array<{ __typename?: 'AuditEventEdge', node: { __typename?: 'AuditEvent', seq: number, action: string } }> } | null };

export type VerifyAuditChainQueryVariables = Exact<{
  from?: InputMaybe<Scalars['DateTime']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
}>;


export type VerifyAuditChainQuery = { __typename?: 'Query', verifyAuditChain?: { __typename?: 'AuditChainVerification', ok: boolean, checkedCount: number, firstBrokenSeq?: number | null, firstBrokenEventId?: string | null, reason?: string | null, brokenRangeCount: number, brokenRanges: Array<{ __typename?: 'AuditChainBrokenRange', firstSeq: number, lastSeq: number, count: number, reason: string }> } | null };

export type CreateAuditExportMutationVariables = Exact<{
  input: CreateAuditExportInput;
}>;


export type CreateAuditExportMutation = { __typename?: 'Mutation', createAuditExport?: { __typename?: 'AuditExport', id: string, format: AuditExportFormat, downloadUrl: string, expiresAt: string } | null };

export type AuditEventStreamSubscriptionVariables = Exact<{
  filter?: InputMaybe<AuditEventFilter>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AuditEventStreamSubscription = { __typename?: 'Subscription', auditEvents: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, via: AuditChannel, reportedAt?: string | null, hash: string, prevHash: string, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }>, submittedBy?: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null, scopes?: Array<ApiKeyScope> | null } | null } };

export type AuditDigestFieldsFragment = { __typename?: 'AuditDigest', id: string, accountId: string, fromSeq: number, toSeq: number, headHash: string, previousDigestHash?: string | null, createdAt: string, keyId: string, signature: string };

export type CreateAuditDigestMutationVariables = Exact<{ [key: string]: never; }>;


export type CreateAuditDigestMutation = { __typename?: 'Mutation', createAuditDigest?: { __typename?: 'AuditDigest', id: string, accountId: string, fromSeq: number, toSeq: number, headHash: string, previousDigestHash?: string | null, createdAt: string, keyId: string, signature: string } | null };

export type AuditDigestsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AuditDigestsQuery = { __typename?: 'Query', auditDigests?: { __typename?: 'AuditDigestConnection', edges: Array<{ __typename?: 'AuditDigestEdge', cursor: string, node: { __typename?: 'AuditDigest', id: string, accountId: string, fromSeq: number, toSeq: number, headHash: string, previousDigestHash?: string | null, createdAt: string, keyId: string, signature: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null } } | null };

export const ApiKeyFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<ApiKeyFieldsFragment, unknown>;
export const IngestedAuditEventFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IngestedAuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<IngestedAuditEventFieldsFragment, unknown>;
export const AuditReviewFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditReviewFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditReview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewedThroughSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedCount"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedImportantCount"}},{"kind":"Field","name":{"kind":"Name","value":"oldestUnreviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"importantActions"}}]}}]} as unknown as DocumentNode<AuditReviewFieldsFragment, unknown>;
export const AuditEventFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<AuditEventFieldsFragment, unknown>;
export const AuditDigestFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditDigestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditDigest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accountId"}},{"kind":"Field","name":{"kind":"Name","value":"fromSeq"}},{"kind":"Field","name":{"kind":"Name","value":"toSeq"}},{"kind":"Field","name":{"kind":"Name","value":"headHash"}},{"kind":"Field","name":{"kind":"Name","value":"previousDigestHash"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signature"}}]}}]} as unknown as DocumentNode<AuditDigestFieldsFragment, unknown>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}}]}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const AccountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requireKeyExpiration"}},{"kind":"Field","name":{"kind":"Name","value":"defaultKeyLifetimeDays"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeyLifetimeDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}}]}}]}}]}}]} as unknown as DocumentNode<AccountQuery, AccountQueryVariables>;
export const AccountNameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccountName"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<AccountNameQuery, AccountNameQueryVariables>;
export const EntitlementsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}},{"kind":"Field","name":{"kind":"Name","value":"auditHistoryKeptUntil"}}]}}]}}]} as unknown as DocumentNode<EntitlementsQuery, EntitlementsQueryVariables>;
export const UpdateAccountSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAccountSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAccountSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAccountSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requireKeyExpiration"}},{"kind":"Field","name":{"kind":"Name","value":"defaultKeyLifetimeDays"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeyLifetimeDays"}}]}}]}}]} as unknown as DocumentNode<UpdateAccountSettingsMutation, UpdateAccountSettingsMutationVariables>;
export const InviteMemberDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InviteMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InviteMemberInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inviteMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]} as unknown as DocumentNode<InviteMemberMutation, InviteMemberMutationVariables>;
export const ChangeMemberRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangeMemberRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChangeMemberRoleInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changeMemberRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]} as unknown as DocumentNode<ChangeMemberRoleMutation, ChangeMemberRoleMutationVariables>;
export const RemoveMemberDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RemoveMemberInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}]}]}}]} as unknown as DocumentNode<RemoveMemberMutation, RemoveMemberMutationVariables>;
export const ChangePlanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangePlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChangePlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changePlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}},{"kind":"Field","name":{"kind":"Name","value":"auditHistoryKeptUntil"}}]}}]}}]}}]} as unknown as DocumentNode<ChangePlanMutation, ChangePlanMutationVariables>;
export const PlansDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}}]}}]}}]} as unknown as DocumentNode<PlansQuery, PlansQueryVariables>;
export const ApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeys"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<ApiKeysQuery, ApiKeysQueryVariables>;
export const ApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<ApiKeyQuery, ApiKeyQueryVariables>;
export const CreateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RotateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<RotateApiKeyMutation, RotateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const UpdateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<UpdateApiKeyMutation, UpdateApiKeyMutationVariables>;
export const FilteredApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FilteredApiKeys"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<FilteredApiKeysQuery, FilteredApiKeysQueryVariables>;
export const ApiKeyUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeyUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hour"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}}]}}]} as unknown as DocumentNode<ApiKeyUsageQuery, ApiKeyUsageQueryVariables>;
export const KeyHealthDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyHealth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"keyHealth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"neverUsed"}},{"kind":"Field","name":{"kind":"Name","value":"unusedFor30Days"}},{"kind":"Field","name":{"kind":"Name","value":"expiringSoon"}},{"kind":"Field","name":{"kind":"Name","value":"noExpiry"}},{"kind":"Field","name":{"kind":"Name","value":"ownerNotAdmin"}}]}}]}}]}}]}}]} as unknown as DocumentNode<KeyHealthQuery, KeyHealthQueryVariables>;
export const TransferApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TransferApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TransferApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transferApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<TransferApiKeyMutation, TransferApiKeyMutationVariables>;
export const EndRotationGraceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EndRotationGrace"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EndRotationGraceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endRotationGrace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ApiKeyFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<EndRotationGraceMutation, EndRotationGraceMutationVariables>;
export const RecordAuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RecordAuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RecordAuditEventsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordAuditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}}]}}]} as unknown as DocumentNode<RecordAuditEventsMutation, RecordAuditEventsMutationVariables>;
export const IngestedAuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"IngestedAuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"order"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"Variable","name":{"kind":"Name","value":"order"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IngestedAuditEventFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IngestedAuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<IngestedAuditEventsQuery, IngestedAuditEventsQueryVariables>;
export const IngestedAuditEventStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"IngestedAuditEventStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IngestedAuditEventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IngestedAuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<IngestedAuditEventStreamSubscription, IngestedAuditEventStreamSubscriptionVariables>;
export const AuditReviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditReview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"auditReview"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditReviewFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditReviewFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditReview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewedThroughSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedCount"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedImportantCount"}},{"kind":"Field","name":{"kind":"Name","value":"oldestUnreviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"importantActions"}}]}}]} as unknown as DocumentNode<AuditReviewQuery, AuditReviewQueryVariables>;
export const SetAuditReviewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetAuditReviewer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetAuditReviewerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setAuditReviewer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditReviewFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditReviewFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditReview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewedThroughSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedCount"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedImportantCount"}},{"kind":"Field","name":{"kind":"Name","value":"oldestUnreviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"importantActions"}}]}}]} as unknown as DocumentNode<SetAuditReviewerMutation, SetAuditReviewerMutationVariables>;
export const SetImportantAuditActionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetImportantAuditActions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetImportantAuditActionsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setImportantAuditActions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditReviewFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditReviewFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditReview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewedThroughSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedCount"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedImportantCount"}},{"kind":"Field","name":{"kind":"Name","value":"oldestUnreviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"importantActions"}}]}}]} as unknown as DocumentNode<SetImportantAuditActionsMutation, SetImportantAuditActionsMutationVariables>;
export const MarkAuditReviewedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MarkAuditReviewed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MarkAuditReviewedInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markAuditReviewed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditReviewFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditReviewFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditReview"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewedThroughSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedCount"}},{"kind":"Field","name":{"kind":"Name","value":"unreviewedImportantCount"}},{"kind":"Field","name":{"kind":"Name","value":"oldestUnreviewedAt"}},{"kind":"Field","name":{"kind":"Name","value":"reviewers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"importantActions"}}]}}]} as unknown as DocumentNode<MarkAuditReviewedMutation, MarkAuditReviewedMutationVariables>;
export const AuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"order"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"Variable","name":{"kind":"Name","value":"order"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditEventFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<AuditEventsQuery, AuditEventsQueryVariables>;
export const AccountWithAuditEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccountWithAuditEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"action"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AccountWithAuditEventsQuery, AccountWithAuditEventsQueryVariables>;
export const VerifyAuditChainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VerifyAuditChain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyAuditChain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"checkedCount"}},{"kind":"Field","name":{"kind":"Name","value":"firstBrokenSeq"}},{"kind":"Field","name":{"kind":"Name","value":"firstBrokenEventId"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"brokenRanges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstSeq"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"brokenRangeCount"}}]}}]}}]} as unknown as DocumentNode<VerifyAuditChainQuery, VerifyAuditChainQueryVariables>;
export const CreateAuditExportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAuditExport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAuditExportInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAuditExport"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"downloadUrl"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<CreateAuditExportMutation, CreateAuditExportMutationVariables>;
export const AuditEventStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AuditEventStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditEventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditEventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"via"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}},{"kind":"Field","name":{"kind":"Name","value":"submittedBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hash"}},{"kind":"Field","name":{"kind":"Name","value":"prevHash"}}]}}]} as unknown as DocumentNode<AuditEventStreamSubscription, AuditEventStreamSubscriptionVariables>;
export const CreateAuditDigestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAuditDigest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAuditDigest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditDigestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditDigestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditDigest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accountId"}},{"kind":"Field","name":{"kind":"Name","value":"fromSeq"}},{"kind":"Field","name":{"kind":"Name","value":"toSeq"}},{"kind":"Field","name":{"kind":"Name","value":"headHash"}},{"kind":"Field","name":{"kind":"Name","value":"previousDigestHash"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signature"}}]}}]} as unknown as DocumentNode<CreateAuditDigestMutation, CreateAuditDigestMutationVariables>;
export const AuditDigestsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditDigests"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditDigests"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditDigestFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditDigestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditDigest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"accountId"}},{"kind":"Field","name":{"kind":"Name","value":"fromSeq"}},{"kind":"Field","name":{"kind":"Name","value":"toSeq"}},{"kind":"Field","name":{"kind":"Name","value":"headHash"}},{"kind":"Field","name":{"kind":"Name","value":"previousDigestHash"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"keyId"}},{"kind":"Field","name":{"kind":"Name","value":"signature"}}]}}]} as unknown as DocumentNode<AuditDigestsQuery, AuditDigestsQueryVariables>;