import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Plan } from '../entitlements/plans';

/** Key-expiry policy defaults for a new account. */
export const DEFAULT_KEY_POLICY = {
  requireKeyExpiration: false,
  defaultKeyLifetimeDays: 90,
  maxKeyLifetimeDays: 365,
} as const;

@Entity({ tableName: 'accounts' })
export class Account {
  [OptionalProps]?:
    | 'plan'
    | 'requireKeyExpiration'
    | 'defaultKeyLifetimeDays'
    | 'maxKeyLifetimeDays'
    | 'createdAt'
    | 'planChangedAt'
    | 'previousPlan';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: () => Plan, type: 'text' })
  plan: Plan = Plan.FREE;

  @Property({ type: 'boolean' })
  requireKeyExpiration: boolean = DEFAULT_KEY_POLICY.requireKeyExpiration;

  @Property({ type: 'integer' })
  defaultKeyLifetimeDays: number = DEFAULT_KEY_POLICY.defaultKeyLifetimeDays;

  @Property({ type: 'integer' })
  maxKeyLifetimeDays: number = DEFAULT_KEY_POLICY.maxKeyLifetimeDays;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** When the plan last changed; the database sets it on every change (the audit purge's grace counts from it). */
  @Property({ type: 'datetime', nullable: true })
  planChangedAt: Date | null = null;

  /** The plan before the last change; set by the database with `planChangedAt`. */
  @Enum({ items: () => Plan, type: 'text', nullable: true })
  previousPlan: Plan | null = null;
}
