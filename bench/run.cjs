#!/usr/bin/env node
'use strict';
// `npm run bench [-- <scenario>...] [--profile] [--quick]`
//
// Starts PostgreSQL the way the service does (embedded in a temp data dir, or a
// fresh database `keyledger_bench_<pid>` on DATABASE_URL's server), migrates and
// seeds it, starts keyledger (`node dist/src/main.js`) and the baselines as
// child processes, and drives load from this process. Each scenario warms up,
// then measures keyledger and its baseline alternately (A B A B A B), takes
// medians and reports keyledger ÷ baseline against the target. Prints a table
// and writes bench/results/results.json (plus per-round samples in bench/results/results-detail.json).

const { generateKeyPairSync } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { openBenchDatabase } = require('./lib/db.cjs');
const procs = require('./lib/procs.cjs');
const seed = require('./lib/seed.cjs');
const { BENCH_METRICS_TOKEN } = require('./lib/subscribers.cjs');
const { renderTable, writeResults, summarizeProfile } = require('./lib/report.cjs');
const { node22 } = require('./lib/node22.cjs');
const { log, median, fmt } = require('./lib/util.cjs');

/** Production requires AUDIT_SIGNING_KEY (it signs audit digests): a throwaway Ed25519 key for this run. */
const BENCH_AUDIT_SIGNING_KEY = /** @type {string} */ (
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })
);

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

const SCENARIOS = [
  require('./scenarios/1-list-query.cjs'),
  require('./scenarios/2-auth-cost.cjs'),
  require('./scenarios/3-audited-writes.cjs'),
  require('./scenarios/4-fanout.cjs'),
  require('./scenarios/5-export.cjs'),
  require('./scenarios/6-rate-limiter.cjs'),
  require('./scenarios/7-log-scaling.cjs'),
  require('./scenarios/8-db-round-trips.cjs'), // optional diagnostic, run by name only
  require('./scenarios/9-ingest.cjs'),
  require('./scenarios/10-write-split.cjs'), // optional diagnostic, run by name only
];

const BENCH_DIR = __dirname;
const RESULTS_FILE = path.join(BENCH_DIR, 'results', 'results.json');
const DETAIL_FILE = path.join(BENCH_DIR, 'results', 'results-detail.json');
const PROFILE_DIR = path.join(BENCH_DIR, 'profiles');

function parseArgs(argv) {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknownFlags = [...flags].filter((flag) => !['--profile', '--quick', '--help'].includes(flag));
  if (flags.has('--help') || unknownFlags.length > 0) {
    process.stdout.write(
      `usage: npm run bench [-- <scenario>...] [--profile] [--quick]\nscenarios: ${SCENARIOS.map((s, i) => `${i + 1}|${s.name}`).join(' ')}\n`,
    );
    process.exit(unknownFlags.length > 0 ? 2 : 0);
  }
  const selected =
    names.length === 0
      ? SCENARIOS.filter((s) => !s.optional)
      : names.map((name) => {
          const found = SCENARIOS.find(
            (s, i) => s.name === name || String(i + 1) === name || s.aliases?.includes(name),
          );
          if (!found) {
            process.stderr.write(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
            process.exit(2);
          }
          return found;
        });
  const quick = flags.has('--quick');
  return {
    selected,
    profile: flags.has('--profile'),
    quick,
    duration: Number(process.env.BENCH_DURATION || (quick ? 1.5 : 3)),
    warmup: Number(process.env.BENCH_WARMUP || (quick ? 1 : 3)),
    // At least 3 rounds each (A B A B A B); 5 where a round is short. A scenario may set its own
    // `rounds` and `warmup` (seconds, at most this one); BENCH_ROUNDS / BENCH_WARMUP override both.
    rounds: Math.max(3, Number(process.env.BENCH_ROUNDS || (quick ? 3 : 5))),
  };
}

/** What every scenario receives: the database, servers, datasets, options and the result sink. */
function createContext(db, opts) {
  const scenarioServers = [];
  const datasets = new Map();
  const ctx = {
    db,
    opts,
    rows: [],
    detail: {},
    scenario: undefined,
    log,

    /**
     * A keyledger child (`node dist/src/main.js`) for the current scenario; `env` overrides,
     * `node` is the Node.js binary that runs it (default: the bench's own, e.g. `await ctx.node22()`).
     *
     * @param {string} name
     * @param {Record<string, string>} [env]
     * @param {{ node?: string }} [options]
     */
    async keyledger(name, env = {}, { node } = {}) {
      const profileDir = path.join(PROFILE_DIR, ctx.scenario.name);
      if (opts.profile) {
        fs.mkdirSync(profileDir, { recursive: true });
        // A profile left by an earlier run must not be summarized as this one's.
        fs.rmSync(path.join(profileDir, `${name}.cpuprofile`), { force: true });
      }
      // Production needs PUBLIC_URL (the base of export links): pick the port first so the link is right.
      const port = await freePort();
      const server = await procs.startServer({
        name,
        script: 'dist/src/main.js',
        node,
        nodeArgs: opts.profile
          ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`]
          : [],
        env: {
          NODE_ENV: 'production',
          DATABASE_URL: db.url,
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          HOST: '127.0.0.1',
          SESSION_SECRET: seed.SESSION_SECRET,
          AUDIT_SIGNING_KEY: BENCH_AUDIT_SIGNING_KEY,
          LOG_LEVEL: 'warn',
          // The most the config accepts (10,000,000 per 60 s window): the limiter runs but never refuses here.
          RATE_LIMIT_POINTS: '10000000',
          // All load comes from 127.0.0.1: the per-address socket cap would stop the fan-out scenario.
          WS_MAX_CONNECTIONS_PER_IP: '100000',
          WS_MAX_CONNECTIONS: '100000',
          METRICS_TOKEN: BENCH_METRICS_TOKEN,
          ...env,
        },
      });
      server.kind = 'keyledger';
      scenarioServers.push(server);
      return server;
    },

    /**
     * A baseline child (bench/baselines/<file>); `node` as for `keyledger`.
     *
     * @param {string} name
     * @param {string} file
     * @param {Record<string, string>} [env]
     * @param {{ node?: string }} [options]
     */
    async baseline(name, file, env = {}, { node } = {}) {
      const server = await procs.startServer({
        name,
        script: path.join('bench', 'baselines', file),
        node,
        env: { NODE_ENV: 'production', DATABASE_URL: db.url, PORT: '0', ...env },
      });
      server.kind = 'baseline';
      scenarioServers.push(server);
      return server;
    },

    /** Stops this scenario's children; with --profile, summarizes the keyledger CPU profiles. */
    async endScenario() {
      const servers = scenarioServers.splice(0);
      await Promise.all(servers.map((server) => server.stop()));
      if (!opts.profile) return;
      for (const server of servers.filter((s) => s.kind === 'keyledger')) {
        const file = path.join(PROFILE_DIR, ctx.scenario.name, `${server.name}.cpuprofile`);
        if (!fs.existsSync(file)) continue;
        const summary = summarizeProfile(file);
        fs.writeFileSync(path.join(PROFILE_DIR, `${ctx.scenario.name}-${server.name}.txt`), `${summary}\n`);
        process.stderr.write(`\n${summary}\n\n`);
      }
    },

    /** The pinned Node 22 binary (bench/node22), installed on first use. */
    node22,

    /** A dataset, created once per run (`build` receives the context). */
    async data(name, build) {
      if (!datasets.has(name)) datasets.set(name, build(ctx));
      return datasets.get(name);
    },

    record(row) {
      ctx.rows.push(row);
      log(
        `  => ${row.metric}: keyledger ${fmt(row.keyledger)}, baseline ${fmt(row.baseline)}, ratio ${row.ratio ?? '—'}, target ${row.target ?? '(info)'}: ${row.pass == null ? '' : row.pass ? 'PASS' : 'FAIL'}`,
      );
    },

    /**
     * Warm-up, then A B A B A B…: `targets` = [{ name, measure(round) → number|object, warm?() }].
     * Returns { [name]: samples[] }.
     */
    async alternate(targets, { warmup = true, value = (sample) => sample } = {}) {
      if (warmup) {
        const seconds = process.env.BENCH_WARMUP
          ? opts.warmup
          : Math.min(opts.warmup, ctx.scenario.warmup ?? opts.warmup);
        for (const target of targets) {
          log(`  warm-up ${target.name}`);
          await (target.warm ? target.warm() : target.measure(-1, seconds));
        }
      }
      const samples = Object.fromEntries(targets.map((target) => [target.name, []]));
      const rounds = process.env.BENCH_ROUNDS ? opts.rounds : Math.min(opts.rounds, ctx.scenario.rounds ?? opts.rounds);
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
          const sample = await target.measure(round, opts.duration);
          samples[target.name].push(sample);
          log(`  round ${round + 1} ${target.name}: ${fmt(value(sample))}`);
        }
      }
      (ctx.detail[ctx.scenario.name] ??= {}).samples = {
        ...(ctx.detail[ctx.scenario.name]?.samples ?? {}),
        ...samples,
      };
      return samples;
    },

    median,
  };
  return ctx;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  log(
    `scenarios: ${opts.selected.map((s) => s.name).join(', ')}; ${opts.rounds} rounds of ${opts.duration} s after ${opts.warmup} s warm-up${opts.profile ? '; CPU profiles on' : ''}`,
  );
  let db;
  let ctx;
  let cleaning;
  const cleanup = async () => {
    cleaning ??= (async () => {
      await ctx?.endScenario().catch(() => undefined);
      await procs.stopAll().catch(() => undefined);
      await db?.stop().catch((error) => log(`could not stop the database: ${error.message}`));
    })();
    return cleaning;
  };
  process.on('SIGINT', () => {
    log('interrupted: stopping children and PostgreSQL');
    cleanup().finally(() => process.exit(130));
  });
  process.on('SIGTERM', () => cleanup().finally(() => process.exit(143)));
  process.on('exit', () => {
    procs.killAllSync();
    db?.cleanupSync();
  });

  let failed = false;
  try {
    db = await openBenchDatabase();
    ctx = createContext(db, opts);
    for (const scenario of opts.selected) {
      ctx.scenario = scenario;
      const t0 = Date.now();
      log(`scenario ${scenario.name}: ${scenario.title}`);
      try {
        await scenario.run(ctx);
      } catch (error) {
        failed = true;
        log(`scenario ${scenario.name} failed: ${error.stack}`);
        (ctx.detail[scenario.name] ??= {}).error = String(error.message);
      } finally {
        await ctx.endScenario();
      }
      log(`scenario ${scenario.name} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await cleanup();
  }

  const rows = ctx?.rows ?? [];
  // Numbers taken under the profiler are evidence, not the reference: they go next to the profiles.
  // --quick numbers are only a smoke test of the harness, and a run of diagnostics only (dbtrips, split)
  // measures no target: neither replaces the reference results.
  const keepResults = opts.quick || opts.selected.every((scenario) => scenario.optional);
  const resultsFile = opts.profile ? path.join(PROFILE_DIR, 'results.json') : keepResults ? null : RESULTS_FILE;
  const detailFile = opts.profile ? path.join(PROFILE_DIR, 'results-detail.json') : keepResults ? null : DETAIL_FILE;
  if (resultsFile) writeResults(resultsFile, rows);
  const machine = {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    postgres: db?.describe,
  };
  if (detailFile)
    fs.writeFileSync(
      detailFile,
      `${JSON.stringify({ at: new Date().toISOString(), machine, options: { ...opts, selected: opts.selected.map((s) => s.name) }, scenarios: ctx?.detail ?? {} }, null, 2)}\n`,
    );
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  process.stdout.write(
    `machine: ${machine.nproc} CPUs, Node ${machine.node}, ${machine.postgres ?? 'PostgreSQL ?'}; ${opts.rounds} alternating rounds (4 for list, 3 for fanout, export, log) of ${opts.duration} s per target (export: one full export); medians. Total ${((Date.now() - started) / 1000).toFixed(0)} s.\n`,
  );
  process.stdout.write(
    resultsFile
      ? `results: ${path.relative(process.cwd(), resultsFile)}\n`
      : `${opts.quick ? '--quick' : 'diagnostics only'}: results not written\n`,
  );
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  log(`bench failed: ${error.stack}`);
  process.exitCode = 1;
});
