import type { MikroORM } from '@mikro-orm/postgresql';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Kind, type DocumentNode } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import * as documents from '../client/generated/graphql';

/**
 * Names of the service's own operations (schema/operations/*.graphql, through
 * their generated typed documents): the only names a metric label takes, so
 * callers cannot add series by naming their operations.
 */
const KNOWN_OPERATIONS: ReadonlySet<string> = new Set(
  Object.values(documents as Record<string, unknown>)
    .filter((value): value is DocumentNode => (value as DocumentNode | null)?.kind === Kind.DOCUMENT)
    .flatMap((document) => document.definitions)
    .flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    ),
);

/** The `operation` label of a request: its name when the service knows it, `anonymous` without one, else `other`. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return KNOWN_OPERATIONS.has(name) ? name : 'other';
}

/** Whether `authorization` is `Bearer <token>`, compared in constant time (digests of equal length). */
export function holdsMetricsToken(authorization: string | undefined, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`));
}

/** The service's Prometheus metrics, on a registry of its own (several instances can share a process in tests). */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'keyledger_graphql_requests_total',
    help: "GraphQL operations served, by operation name (the service's own, else other | anonymous) and outcome (ok | error code).",
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'keyledger_graphql_request_duration_seconds',
    help: 'GraphQL operation latency, by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'keyledger_rate_limit_rejections_total',
    help: 'Requests refused by the rate limit, by transport (http | ws_connect | ws_subscribe).',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly wsRefused = new Counter({
    name: 'keyledger_ws_refused_total',
    help: 'WebSocket sockets refused at the upgrade (per_ip_limit | total_limit | foreign_origin) or closed for a frame over the size limit (message_too_large).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly wsConnections = new Gauge({
    name: 'keyledger_ws_connections',
    help: 'Open, authenticated graphql-ws connections.',
    registers: [this.registry],
  });

  readonly auditEvents = new Counter({
    name: 'keyledger_audit_events_written_total',
    help: 'Audit events committed through this instance.',
    registers: [this.registry],
  });

  constructor(orm: MikroORM, subscriptions: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'keyledger_' });
    new Gauge({
      name: 'keyledger_ws_subscriptions',
      help: 'Live audit-feed subscriptions on this instance.',
      registers: [this.registry],
      collect() {
        this.set(subscriptions());
      },
    });
    new Gauge({
      name: 'keyledger_db_pool_connections',
      help: 'Database pool connections by state (used | free | pending acquires).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = orm.em.getConnection().getKnex().client.pool as
          { numUsed(): number; numFree(): number; numPendingAcquires(): number } | undefined;
        if (!pool) return;
        this.set({ state: 'used' }, pool.numUsed());
        this.set({ state: 'free' }, pool.numFree());
        this.set({ state: 'pending' }, pool.numPendingAcquires());
      },
    });
  }
}
