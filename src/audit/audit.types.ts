import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ApiKeyScope } from '../auth/permissions';
import { PageInfo } from '../shared/pagination';
import { AuditActorType, AuditChannel, AuditOutcome } from './audit-event.entity';
import { auditCursorOf, type AuditEventRecord } from './audit.records';

export enum AuditOrder {
  NEWEST_FIRST = 'NEWEST_FIRST',
  OLDEST_FIRST = 'OLDEST_FIRST',
}

export enum AuditExportFormat {
  NDJSON = 'NDJSON',
  CSV = 'CSV',
}

registerEnumType(AuditOutcome, { name: 'AuditOutcome' });
registerEnumType(AuditActorType, { name: 'AuditActorType' });
registerEnumType(AuditChannel, {
  name: 'AuditChannel',
  description: 'The face a change came through: GraphQL (HTTP or WebSocket), an MCP tool call (an AI agent), the CLI.',
});
registerEnumType(AuditOrder, { name: 'AuditOrder' });
registerEnumType(AuditExportFormat, { name: 'AuditExportFormat' });

@ObjectType('AuditActor', { simpleResolvers: true })
export class AuditActorObject {
  @Field(() => AuditActorType)
  type!: AuditActorType;

  @Field(() => ID, { nullable: true })
  id!: string | null;

  @Field(() => String, { nullable: true, description: 'Email of a user, display hint of an API key.' })
  display!: string | null;

  @Field(() => [ApiKeyScope], { nullable: true, description: "An API key actor's scopes at the time of the event." })
  scopes!: ApiKeyScope[] | null;
}

@ObjectType('AuditTarget', { simpleResolvers: true })
export class AuditTargetType {
  @Field(() => String, {
    description:
      'keyledger’s own kinds (api_key, account, user, audit_log) or the host product’s word (invoice_settings).',
  })
  type!: string;

  @Field(() => ID, { nullable: true })
  id!: string | null;

  @Field(() => String, { nullable: true })
  display!: string | null;
}

@ObjectType('AuditChange', { simpleResolvers: true })
export class AuditChangeType {
  @Field(() => String)
  field!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after!: unknown;
}

@ObjectType('AuditEvent', {
  simpleResolvers: true,
  description: 'One entry of the account’s append-only, hash-chained audit log.',
})
export class AuditEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Per account: 1, 2, 3, … without holes.' })
  seq!: number;

  @Field(() => String, {
    description: 'This event’s position; valid as `after` in the auditEvents query and subscription.',
  })
  cursor!: string;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => String, {
    description:
      'api_key.created, settings.updated, …, or the host product’s own (recordAuditEvents), e.g. invoice.paid',
  })
  action!: string;

  @Field(() => AuditOutcome)
  outcome!: AuditOutcome;

  @Field(() => AuditActorObject)
  actor!: AuditActorObject;

  @Field(() => AuditTargetType, { nullable: true })
  target!: AuditTargetType | null;

  @Field(() => [AuditChangeType])
  changes!: AuditChangeType[];

  @Field(() => GraphQLJSON, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  ip!: string | null;

  @Field(() => String, { nullable: true })
  userAgent!: string | null;

  @Field(() => String, { nullable: true })
  requestId!: string | null;

  @Field(() => AuditChannel, { description: 'Which face the change came through (MCP: an AI agent’s tool call).' })
  via!: AuditChannel;

  @Field(() => Date, {
    nullable: true,
    description:
      'For an event the host product recorded (recordAuditEvents): when it says the event happened. occurredAt is always when keyledger recorded it. Null for keyledger’s own events.',
  })
  reportedAt!: Date | null;

  @Field(() => AuditActorObject, {
    nullable: true,
    description:
      'For an event the host product recorded: the API key or member that submitted it (actor is the host’s own actor). Null for keyledger’s own events.',
  })
  submittedBy!: AuditActorObject | null;

  @Field(() => String, { description: 'Hex SHA-256 of prevHash and this event’s canonical content.' })
  hash!: string;

  @Field(() => String)
  prevHash!: string;

  static from(event: AuditEventRecord): AuditEventType {
    return Object.assign(new AuditEventType(), {
      id: event.id,
      seq: event.seq,
      cursor: auditCursorOf(event.seq),
      occurredAt: event.occurredAt,
      action: event.action,
      outcome: event.outcome,
      actor: Object.assign(new AuditActorObject(), {
        type: event.actorType,
        id: event.actorId,
        display: event.actorDisplay,
        scopes: (event.actorScopes as ApiKeyScope[] | null) ?? null,
      }),
      target: event.targetType
        ? Object.assign(new AuditTargetType(), {
            type: event.targetType,
            id: event.targetId,
            display: event.targetDisplay,
          })
        : null,
      changes: event.changes.map((change) => Object.assign(new AuditChangeType(), change)),
      metadata: event.metadata,
      ip: event.ip,
      userAgent: event.userAgent,
      requestId: event.requestId,
      via: event.via ?? AuditChannel.GRAPHQL,
      reportedAt: event.reportedAt ?? null,
      submittedBy: event.submittedBy
        ? Object.assign(new AuditActorObject(), {
            type: event.submittedBy.type,
            id: event.submittedBy.id,
            display: event.submittedBy.display,
            scopes: (event.submittedBy.scopes as ApiKeyScope[] | null) ?? null,
          })
        : null,
      hash: event.hash,
      prevHash: event.prevHash,
    });
  }
}

@ObjectType('AuditEventEdge', { simpleResolvers: true })
export class AuditEventEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEventType)
  node!: AuditEventType;
}

@ObjectType('AuditEventConnection', { simpleResolvers: true })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge])
  edges!: AuditEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType('AuditEventFilter')
export class AuditEventFilter {
  @Field(() => [String], { nullable: true, description: 'Exact action names, or prefixes ending in .* (api_key.*).' })
  actions?: string[] | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => AuditActorType, { nullable: true })
  actorType?: AuditActorType | null;

  @Field(() => ID, { nullable: true })
  targetId?: string | null;

  @Field(() => AuditOutcome, { nullable: true })
  outcome?: AuditOutcome | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  occurredAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  occurredBefore?: Date | null;

  @Field(() => AuditChannel, { nullable: true, description: 'Only events that came through this face.' })
  via?: AuditChannel | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only events the host product recorded through this API key or member (submittedBy.id).',
  })
  submittedById?: string | null;
}

@ObjectType('AuditChainBrokenRange', {
  simpleResolvers: true,
  description: 'Consecutive seqs that fail verification for one reason.',
})
export class AuditChainBrokenRange {
  @Field(() => Int)
  firstSeq!: number;

  @Field(() => Int)
  lastSeq!: number;

  @Field(() => Int, { description: 'lastSeq - firstSeq + 1.' })
  count!: number;

  @Field(() => String)
  reason!: string;
}

@ObjectType('AuditChainVerification', { simpleResolvers: true })
export class AuditChainVerification {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int, { description: 'Stored events examined, broken ones included.' })
  checkedCount!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The first seq that fails: an event, or the first of missing ones.',
  })
  firstBrokenSeq!: number | null;

  @Field(() => ID, { nullable: true, description: 'That event, when it is stored.' })
  firstBrokenEventId!: string | null;

  @Field(() => String, { nullable: true, description: 'Why firstBrokenSeq fails.' })
  reason!: string | null;

  @Field(() => [AuditChainBrokenRange], {
    description: 'Every broken range in seq order (verification goes on past a broken event); at most the first 1,000.',
  })
  brokenRanges!: AuditChainBrokenRange[];

  @Field(() => Int, { description: 'Broken ranges in all: more than brokenRanges lists when over 1,000.' })
  brokenRangeCount!: number;
}

@ObjectType('AuditExport', { simpleResolvers: true })
export class AuditExportType {
  @Field(() => ID)
  id!: string;

  @Field(() => AuditExportFormat)
  format!: AuditExportFormat;

  @Field(() => String, { description: 'Signed link, valid until expiresAt, that streams the export.' })
  downloadUrl!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@InputType('CreateAuditExportInput')
export class CreateAuditExportInput {
  @Field(() => AuditEventFilter, { nullable: true })
  filter?: AuditEventFilter | null;

  @Field(() => AuditExportFormat)
  format!: AuditExportFormat;
}

@ObjectType('AuditDigest', {
  simpleResolvers: true,
  description:
    'A signed digest of the account’s hash chain (Ed25519): keep them outside keyledger, and `keyledger audit verify --digests` proves later whether the stored log was rewritten. The signature covers the canonical JSON (sorted keys, no whitespace) of accountId, createdAt, fromSeq, headHash, keyId, previousDigestHash and toSeq.',
})
export class AuditDigestType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => Int, { description: 'First seq covered: the previous digest’s toSeq + 1.' })
  fromSeq!: number;

  @Field(() => Int, { description: 'Last seq covered: the chain head when the digest was made.' })
  toSeq!: number;

  @Field(() => String, { description: 'The hash of event toSeq.' })
  headHash!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Hex SHA-256 of the previous digest’s canonical JSON followed by its signature; null for the first.',
  })
  previousDigestHash!: string | null;

  @Field(() => Date, { description: 'Signed as ISO 8601 with milliseconds, UTC.' })
  createdAt!: Date;

  @Field(() => String, {
    description: 'The signing key: its kid in GET /.well-known/keyledger/audit-signing-keys (a JWKS).',
  })
  keyId!: string;

  @Field(() => String, { description: 'base64url Ed25519 signature over the canonical JSON.' })
  signature!: string;
}

@ObjectType('AuditDigestEdge', { simpleResolvers: true })
export class AuditDigestEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditDigestType)
  node!: AuditDigestType;
}

@ObjectType('AuditDigestConnection', { simpleResolvers: true })
export class AuditDigestConnection {
  @Field(() => [AuditDigestEdge])
  edges!: AuditDigestEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
