import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, on a registry of its own (several instances can share a process in tests). */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'keyledger_graphql_requests_total',
    help: 'GraphQL operations served, by operation name and outcome (ok | error code).',
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
