import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AuditActorType, AuditOutcome } from './audit-event.entity';
import type { RecordedEvent } from './audit-ingest.service';
import { auditCursorOf } from './audit.records';

@InputType('AuditEventActorInput', { description: 'Who acted, in the host product’s own terms.' })
export class AuditEventActorInput {
  @Field(() => AuditActorType)
  type!: AuditActorType;

  @Field(() => ID, { description: 'The host product’s id of the actor (up to 255 characters).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Shown in the log, e.g. an email (up to 200 characters).' })
  display?: string | null;
}

@InputType('AuditEventTargetInput', { description: 'What was acted on, in the host product’s own terms.' })
export class AuditEventTargetInput {
  @Field(() => String, {
    description: 'The host product’s own word for the kind of thing, ^[a-z][a-z0-9_]*$ (e.g. invoice_settings).',
  })
  type!: string;

  @Field(() => ID, { nullable: true, description: 'Up to 255 characters.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'Up to 200 characters.' })
  display?: string | null;
}

@InputType('AuditChangeInput')
export class AuditChangeInput {
  @Field(() => String)
  field!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  before?: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after?: unknown;
}

@InputType('AuditEventInput', { description: 'One event of the host product, as recordAuditEvents takes it.' })
export class AuditEventInput {
  @Field(() => String, {
    description:
      'Dotted lower-case name, ^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$ (invoice.paid). keyledger’s own prefixes (account. api_key. audit. member. plan. session. settings.) are refused.',
  })
  action!: string;

  @Field(() => AuditEventActorInput)
  actor!: AuditEventActorInput;

  @Field(() => AuditEventTargetInput)
  target!: AuditEventTargetInput;

  @Field(() => Date, {
    description:
      'When it happened, by the host product’s clock; kept as reportedAt beside keyledger’s own occurredAt. At most 5 minutes in the future.',
  })
  occurredAt!: Date;

  @Field(() => [AuditChangeInput], { nullable: true, description: 'At most 50, and 8 kB of JSON.' })
  changes?: AuditChangeInput[] | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'A JSON object of at most 8 kB.' })
  metadata?: unknown;

  @Field(() => AuditOutcome, { nullable: true, description: 'Default SUCCESS.' })
  outcome?: AuditOutcome | null;
}

@InputType('RecordAuditEventsInput')
export class RecordAuditEventsInput {
  @Field(() => [AuditEventInput], { description: '1 to 500 events, recorded in this order.' })
  events!: AuditEventInput[];

  @Field(() => String, {
    nullable: true,
    description:
      'A retry with the same key (same account, within 24 hours) answers the first call’s events and records nothing.',
  })
  idempotencyKey?: string | null;
}

@ObjectType('RecordedAuditEvent', { simpleResolvers: true, description: 'Where a recorded event sits in the chain.' })
export class RecordedAuditEventType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  seq!: number;

  @Field(() => String, { description: 'Valid as `after` in the auditEvents query and subscription.' })
  cursor!: string;

  @Field(() => String)
  action!: string;

  @Field(() => Date, { description: 'When keyledger recorded it (the chain’s time).' })
  occurredAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the host product says it happened.' })
  reportedAt!: Date | null;

  static from(event: RecordedEvent): RecordedAuditEventType {
    return Object.assign(new RecordedAuditEventType(), { ...event, cursor: auditCursorOf(event.seq) });
  }
}

@ObjectType('RecordAuditEventsPayload', { simpleResolvers: true })
export class RecordAuditEventsPayload {
  @Field(() => [RecordedAuditEventType], { description: 'In the order given, with consecutive seqs.' })
  events!: RecordedAuditEventType[];

  @Field(() => Boolean, { description: 'True when a repeated idempotencyKey answered the first call’s events.' })
  replayed!: boolean;
}
