import { randomUUID } from 'node:crypto';
import { ArrayType, BigIntType, Entity, Enum, Index, JsonType, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export enum AuditOutcome {
  SUCCESS = 'SUCCESS',
  DENIED = 'DENIED',
}

/** The face a change came through: GraphQL (HTTP or WebSocket), an MCP tool call, or the CLI. */
export enum AuditChannel {
  GRAPHQL = 'GRAPHQL',
  MCP = 'MCP',
  CLI = 'CLI',
}

/**
 * Who acted. keyledger's own events name a USER, an API_KEY or the SYSTEM;
 * events recorded by the host product (`recordAuditEvents`) name the host's
 * own actor, which may also be a SERVICE.
 */
export enum AuditActorType {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SERVICE = 'SERVICE',
  SYSTEM = 'SYSTEM',
}

/** Who submitted an event the host product recorded: the API key or signed-in member that called `recordAuditEvents`. */
export interface AuditSubmitter {
  type: AuditActorType.USER | AuditActorType.API_KEY;
  id: string;
  display: string | null;
  /** An API key's scopes at the time (stored spelling, `audit:write`). */
  scopes: string[] | null;
}

/** One field's change; never a secret or a key digest. */
export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * One row of an account's append-only, hash-chained log. Rows are written by
 * `AuditRecorder` only, inside the transaction of the change they describe; a
 * trigger refuses UPDATE and DELETE.
 */
@Entity({ tableName: 'audit_events' })
@Unique({ properties: ['accountId', 'seq'] })
@Index({ properties: ['accountId', 'action', 'seq'] })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId!: string;

  /** 1, 2, 3, … per account, without holes. */
  @Property({ type: new BigIntType('number') })
  seq!: number;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'text' })
  action!: string;

  @Enum({ items: () => AuditOutcome, type: 'text' })
  outcome!: AuditOutcome;

  @Enum({ items: () => AuditActorType, type: 'text' })
  actorType!: AuditActorType;

  @Property({ type: 'text', nullable: true })
  actorId: string | null = null;

  @Property({ type: 'text', nullable: true })
  actorDisplay: string | null = null;

  /** An API key actor's scopes at the time of the event. */
  @Property({ type: ArrayType, nullable: true })
  actorScopes: string[] | null = null;

  @Property({ type: 'text', nullable: true })
  targetType: string | null = null;

  @Property({ type: 'text', nullable: true })
  targetId: string | null = null;

  @Property({ type: 'text', nullable: true })
  targetDisplay: string | null = null;

  @Property({ type: JsonType })
  changes: AuditChange[] = [];

  @Property({ type: JsonType, nullable: true })
  metadata: Record<string, unknown> | null = null;

  @Property({ type: 'text', nullable: true })
  ip: string | null = null;

  @Property({ type: 'text', nullable: true })
  userAgent: string | null = null;

  @Property({ type: 'text', nullable: true })
  requestId: string | null = null;

  /** The face the change came through; rows older than the column read as GRAPHQL. */
  @Enum({ items: () => AuditChannel, type: 'text', default: AuditChannel.GRAPHQL })
  via: AuditChannel = AuditChannel.GRAPHQL;

  /**
   * When the host product says an event it recorded happened (its `occurredAt`);
   * null for keyledger's own events. `occurredAt` stays keyledger's time.
   */
  @Property({ type: 'datetime', nullable: true })
  reportedAt: Date | null = null;

  /** The API key or member that recorded a host product's event; null for keyledger's own events. */
  @Property({ type: JsonType, nullable: true })
  submittedBy: AuditSubmitter | null = null;

  @Property({ type: 'text' })
  prevHash!: string;

  @Property({ type: 'text' })
  hash!: string;
}

/** Per-account head of the chain; locked FOR UPDATE to serialise appends of one account. */
@Entity({ tableName: 'audit_chain_heads' })
export class AuditChainHead {
  @PrimaryKey({ type: 'uuid' })
  accountId!: string;

  @Property({ type: new BigIntType('number') })
  lastSeq: number = 0;

  @Property({ type: 'text' })
  lastHash!: string;
}
