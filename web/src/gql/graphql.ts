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

export type KeyRowFragment = { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null };

export type KeysPageQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ApiKeyFilter>;
}>;


export type KeysPageQuery = { __typename?: 'Query', apiKeys: { __typename?: 'ApiKeyConnection', totalCount: number, edges: Array<{ __typename?: 'ApiKeyEdge', cursor: string, node: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, usage: Array<{ __typename?: 'ApiKeyUsageHour', hour: string, requests: number }>, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };

export type KeyQuotaQueryVariables = Exact<{ [key: string]: never; }>;


export type KeyQuotaQuery = { __typename?: 'Query', entitlements: { __typename?: 'Entitlements', plan: Plan, maxActiveApiKeys: number }, plans: Array<{ __typename?: 'PlanEntitlements', plan: Plan, maxActiveApiKeys: number }>, activeKeys: { __typename?: 'ApiKeyConnection', totalCount: number }, account: { __typename?: 'Account', id: string, keyHealth: { __typename?: 'KeyHealth', neverUsed: number, unusedFor30Days: number, expiringSoon: number, noExpiry: number, ownerNotAdmin: number }, settings: { __typename?: 'AccountSettings', requireKeyExpiration: boolean, defaultKeyLifetimeDays: number, maxKeyLifetimeDays: number } } };

export type CreateKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateKeyMutation = { __typename?: 'Mutation', createApiKey: { __typename?: 'CreateApiKeyPayload', secret: string, replayed: boolean, apiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } } };

export type RotateKeyMutationVariables = Exact<{
  input: RotateApiKeyInput;
}>;


export type RotateKeyMutation = { __typename?: 'Mutation', rotateApiKey: { __typename?: 'RotateApiKeyPayload', secret: string, apiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null }, previousKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } } };

export type RevokeKeyMutationVariables = Exact<{
  input: RevokeApiKeyInput;
}>;


export type RevokeKeyMutation = { __typename?: 'Mutation', revokeApiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } };

export type EditKeyMutationVariables = Exact<{
  input: UpdateApiKeyInput;
}>;


export type EditKeyMutation = { __typename?: 'Mutation', updateApiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } };

export type SaveKeyPolicyMutationVariables = Exact<{
  input: UpdateAccountSettingsInput;
}>;


export type SaveKeyPolicyMutation = { __typename?: 'Mutation', updateAccountSettings: { __typename?: 'AccountSettings', requireKeyExpiration: boolean, defaultKeyLifetimeDays: number, maxKeyLifetimeDays: number } };

export type KeyMembersQueryVariables = Exact<{ [key: string]: never; }>;


export type KeyMembersQuery = { __typename?: 'Query', account: { __typename?: 'Account', id: string, members: Array<{ __typename?: 'Membership', role: Role, user: { __typename?: 'User', id: string, email: string } }> } };

export type TransferKeyMutationVariables = Exact<{
  input: TransferApiKeyInput;
}>;


export type TransferKeyMutation = { __typename?: 'Mutation', transferApiKey: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } };

export type EndGraceMutationVariables = Exact<{
  input: EndRotationGraceInput;
}>;


export type EndGraceMutation = { __typename?: 'Mutation', endRotationGrace: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } };

export type KeyRotationQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type KeyRotationQuery = { __typename?: 'Query', apiKey?: { __typename?: 'ApiKey', id: string, name: string, purpose: ApiKeyPurpose, description?: string | null, scopes: Array<ApiKeyScope>, displayKey: string, status: ApiKeyStatus, createdAt: string, handoffTo?: string | null, inactiveScopes: Array<ApiKeyScope>, requestsSinceRotation?: number | null, expiresAt?: string | null, lastUsedAt?: string | null, lastUsedIp?: string | null, revokedAt?: string | null, revokeReason?: string | null, rotatedAt?: string | null, createdBy?: { __typename?: 'User', id: string, email: string } | null, owner?: { __typename?: 'User', id: string, email: string } | null } | null };

export type AuditRowFragment = { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }> };

export type AuditEntitlementsQueryVariables = Exact<{ [key: string]: never; }>;


export type AuditEntitlementsQuery = { __typename?: 'Query', entitlements: { __typename?: 'Entitlements', plan: Plan, features: Array<Feature>, auditRetentionDays?: number | null }, plans: Array<{ __typename?: 'PlanEntitlements', plan: Plan, features: Array<Feature>, maxActiveApiKeys: number, auditRetentionDays?: number | null }> };

export type AuditPageQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
}>;


export type AuditPageQuery = { __typename?: 'Query', auditEvents?: { __typename?: 'AuditEventConnection', edges: Array<{ __typename?: 'AuditEventEdge', cursor: string, node: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }> } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type AuditTailSubscriptionVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditEventFilter>;
}>;


export type AuditTailSubscription = { __typename?: 'Subscription', auditEvents: { __typename?: 'AuditEvent', id: string, seq: number, cursor: string, occurredAt: string, action: string, outcome: AuditOutcome, metadata?: unknown | null, ip?: string | null, userAgent?: string | null, requestId?: string | null, actor: { __typename?: 'AuditActor', type: AuditActorType, id?: string | null, display?: string | null }, target?: { __typename?: 'AuditTarget', type: string, id?: string | null, display?: string | null } | null, changes: Array<{ __typename?: 'AuditChange', field: string, before?: unknown | null, after?: unknown | null }> } };

export type ExportAuditMutationVariables = Exact<{
  input: CreateAuditExportInput;
}>;


export type ExportAuditMutation = { __typename?: 'Mutation', createAuditExport?: { __typename?: 'AuditExport', id: string, format: AuditExportFormat, downloadUrl: string, expiresAt: string } | null };

export type VerifyChainQueryVariables = Exact<{ [key: string]: never; }>;


export type VerifyChainQuery = { __typename?: 'Query', verifyAuditChain?: { __typename?: 'AuditChainVerification', ok: boolean, checkedCount: number, brokenRangeCount: number, firstBrokenSeq?: number | null, reason?: string | null } | null };

export type PageViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type PageViewerQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', role?: Role | null, user?: { __typename?: 'User', id: string, email: string, name?: string | null } | null, account: { __typename?: 'Account', id: string, name: string, plan: Plan } } };

export type SignInMutationVariables = Exact<{
  input: SignInWithLoginLinkInput;
}>;


export type SignInMutation = { __typename?: 'Mutation', signInWithLoginLink: { __typename?: 'SignInPayload', sessionExpiresAt: string, viewer: { __typename?: 'Viewer', role?: Role | null, user?: { __typename?: 'User', id: string, email: string } | null, account: { __typename?: 'Account', id: string, name: string } } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { __typename?: 'Mutation', signOut: boolean };

export const KeyRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<KeyRowFragment, unknown>;
export const AuditRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<AuditRowFragment, unknown>;
export const KeysPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeysPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"168"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hour"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<KeysPageQuery, KeysPageQueryVariables>;
export const KeyQuotaDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}}]}},{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"activeKeys"},"name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"ACTIVE"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"keyHealth"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"neverUsed"}},{"kind":"Field","name":{"kind":"Name","value":"unusedFor30Days"}},{"kind":"Field","name":{"kind":"Name","value":"expiringSoon"}},{"kind":"Field","name":{"kind":"Name","value":"noExpiry"}},{"kind":"Field","name":{"kind":"Name","value":"ownerNotAdmin"}}]}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requireKeyExpiration"}},{"kind":"Field","name":{"kind":"Name","value":"defaultKeyLifetimeDays"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeyLifetimeDays"}}]}}]}}]}}]} as unknown as DocumentNode<KeyQuotaQuery, KeyQuotaQueryVariables>;
export const CreateKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<CreateKeyMutation, CreateKeyMutationVariables>;
export const RotateKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}},{"kind":"Field","name":{"kind":"Name","value":"previousKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<RotateKeyMutation, RotateKeyMutationVariables>;
export const RevokeKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<RevokeKeyMutation, RevokeKeyMutationVariables>;
export const EditKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EditKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<EditKeyMutation, EditKeyMutationVariables>;
export const SaveKeyPolicyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SaveKeyPolicy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAccountSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAccountSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requireKeyExpiration"}},{"kind":"Field","name":{"kind":"Name","value":"defaultKeyLifetimeDays"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeyLifetimeDays"}}]}}]}}]} as unknown as DocumentNode<SaveKeyPolicyMutation, SaveKeyPolicyMutationVariables>;
export const KeyMembersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyMembers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]}}]} as unknown as DocumentNode<KeyMembersQuery, KeyMembersQueryVariables>;
export const TransferKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TransferKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TransferApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transferApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<TransferKeyMutation, TransferKeyMutationVariables>;
export const EndGraceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EndGrace"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EndRotationGraceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endRotationGrace"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<EndGraceMutation, EndGraceMutationVariables>;
export const KeyRotationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyRotation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"KeyRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KeyRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"displayKey"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"handoffTo"}},{"kind":"Field","name":{"kind":"Name","value":"inactiveScopes"}},{"kind":"Field","name":{"kind":"Name","value":"requestsSinceRotation"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedIp"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokeReason"}},{"kind":"Field","name":{"kind":"Name","value":"rotatedAt"}}]}}]} as unknown as DocumentNode<KeyRotationQuery, KeyRotationQueryVariables>;
export const AuditEntitlementsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditEntitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entitlements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}}]}},{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"}},{"kind":"Field","name":{"kind":"Name","value":"features"}},{"kind":"Field","name":{"kind":"Name","value":"maxActiveApiKeys"}},{"kind":"Field","name":{"kind":"Name","value":"auditRetentionDays"}}]}}]}}]} as unknown as DocumentNode<AuditEntitlementsQuery, AuditEntitlementsQueryVariables>;
export const AuditPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"NEWEST_FIRST"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditRow"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<AuditPageQuery, AuditPageQueryVariables>;
export const AuditTailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AuditTail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEventFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuditRow"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuditRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuditEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"actor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"target"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"display"}}]}},{"kind":"Field","name":{"kind":"Name","value":"changes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}},{"kind":"Field","name":{"kind":"Name","value":"metadata"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"userAgent"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<AuditTailSubscription, AuditTailSubscriptionVariables>;
export const ExportAuditDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ExportAudit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAuditExportInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAuditExport"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"format"}},{"kind":"Field","name":{"kind":"Name","value":"downloadUrl"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<ExportAuditMutation, ExportAuditMutationVariables>;
export const VerifyChainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VerifyChain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyAuditChain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"checkedCount"}},{"kind":"Field","name":{"kind":"Name","value":"brokenRangeCount"}},{"kind":"Field","name":{"kind":"Name","value":"firstBrokenSeq"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]} as unknown as DocumentNode<VerifyChainQuery, VerifyChainQueryVariables>;
export const PageViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PageViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"plan"}}]}}]}}]}}]} as unknown as DocumentNode<PageViewerQuery, PageViewerQueryVariables>;
export const SignInDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignIn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignInWithLoginLinkInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signInWithLoginLink"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SignInMutation, SignInMutationVariables>;
export const SignOutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignOut"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signOut"}}]}}]} as unknown as DocumentNode<SignOutMutation, SignOutMutationVariables>;