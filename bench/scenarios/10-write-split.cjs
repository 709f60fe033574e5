'use strict';
// Diagnostic (not in the default run; `npm run bench -- split`): where a committed createApiKey's CPU
// goes on this machine, keyledger beside the raw baseline. Each round starts every server fresh, warms
// it up (BENCH_SPLIT_WARMUP seconds, default 12: V8 is still optimizing keyledger's code after a few
// seconds) and measures 3 s of scenario 3's load (8 clients, own account each). Per committed create:
// the server's CPU, PostgreSQL's (every postgres process), the bench process's (autocannon), and the
// whole machine's busy time (/proc/stat) — on two shared cores throughput follows the machine's total.
// BENCH_SPLIT_VARIANTS adds keyledger runs with other settings, e.g.
// `BENCH_SPLIT_VARIANTS="limiter-off=RATE_LIMIT_ENABLED:false"` (name=KEY:value,KEY:value;…).
// Rounds alternate (and reverse every other round); medians reported, nothing recorded in results.

const fs = require('node:fs');
const { createLoad, withWriterKeys } = require('../lib/create-load.cjs');
const { writerAccounts } = require('../lib/datasets.cjs');
const { cpuMs, processCpu, table, fmt } = require('../lib/util.cjs');

const CLIENTS = 8;
const CLOCK_TICK_MS = 10; // USER_HZ = 100

/** Busy and total clock ticks of the whole machine (/proc/stat: user nice system idle iowait irq softirq steal). */
function machineTicks() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  return {
    busy: user + nice + system + irq + softirq + steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

/** CPU milliseconds of every `postgres` process (backends, WAL writer, checkpointer, autovacuum). */
function postgresCpuMs() {
  let ms = 0;
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const cpu = processCpu(pid);
    if (cpu?.name === 'postgres') ms += cpu.ms;
  }
  return ms;
}

/** `name=KEY:value,KEY:value;…` → [{ name, env }]. */
function parseVariants(text) {
  return text
    .split(';')
    .filter(Boolean)
    .map((spec) => {
      const [name, settings = ''] = spec.split('=');
      const env = Object.fromEntries(
        settings
          .split(',')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]),
      );
      return { name, env };
    });
}

module.exports = {
  name: 'split',
  aliases: ['write-split'],
  optional: true,
  title:
    'diagnostic: CPU per committed createApiKey by process (server, PostgreSQL, load generator, machine), fresh servers',
  async run(ctx) {
    const { db } = ctx;
    const warmup = Number(process.env.BENCH_SPLIT_WARMUP || 12);
    const rounds = Number(process.env.BENCH_SPLIT_ROUNDS || 3);
    const accounts = await writerAccounts(ctx, CLIENTS);
    const setup = await ctx.keyledger('split-setup');
    const writers = await withWriterKeys(setup.graphqlUrl, accounts);
    await setup.stop();

    const load = createLoad(db, writers);
    /** One run of `seconds` against `server`: creates/s and CPU ms per committed create by process. */
    const createRun = (server, seconds) =>
      load.run(server, seconds, () => {
        const server0 = cpuMs(server.pid);
        const postgres0 = postgresCpuMs();
        const bench0 = process.cpuUsage();
        const machine0 = machineTicks();
        return (events) => {
          const machine1 = machineTicks();
          const bench = process.cpuUsage(bench0);
          return {
            server: (cpuMs(server.pid) - server0) / events,
            postgres: (postgresCpuMs() - postgres0) / events,
            loadGenerator: (bench.user + bench.system) / 1000 / events,
            machine: ((machine1.busy - machine0.busy) * CLOCK_TICK_MS) / events,
            busy: (machine1.busy - machine0.busy) / (machine1.total - machine0.total),
          };
        };
      });

    const targets = [
      { name: 'keyledger', start: () => ctx.keyledger('split-keyledger') },
      ...parseVariants(process.env.BENCH_SPLIT_VARIANTS ?? '').map(({ name, env }) => ({
        name,
        start: () => ctx.keyledger(`split-${name}`, env),
      })),
      { name: 'raw-graphql', start: () => ctx.baseline('split-raw-graphql', 'raw-graphql.cjs') },
    ];
    const samples = Object.fromEntries(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        const server = await target.start();
        try {
          await createRun(server, warmup);
          const sample = await createRun(server, ctx.opts.duration);
          samples[target.name].push(sample);
          ctx.log(
            `  round ${round + 1} ${target.name}: ${fmt(sample.eventsPerSecond)}/s; ms per create: server ${sample.server.toFixed(3)}, PostgreSQL ${sample.postgres.toFixed(3)}, load generator ${sample.loadGenerator.toFixed(3)}, machine ${sample.machine.toFixed(3)} (${(sample.busy * 100).toFixed(0)}% busy)`,
          );
        } finally {
          await server.stop();
        }
      }
    }
    const med = (name, key) => ctx.median(samples[name].map((sample) => sample[key]));
    const rawRate = med('raw-graphql', 'eventsPerSecond');
    process.stderr.write(
      `\n${table(
        ['server', 'creates/s', '÷ raw', 'server ms', 'PostgreSQL ms', 'load generator ms', 'machine ms'],
        targets.map(({ name }) => [
          name,
          fmt(med(name, 'eventsPerSecond')),
          (med(name, 'eventsPerSecond') / rawRate).toFixed(3),
          med(name, 'server').toFixed(3),
          med(name, 'postgres').toFixed(3),
          med(name, 'loadGenerator').toFixed(3),
          med(name, 'machine').toFixed(3),
        ]),
      )}\n(medians of ${rounds} rounds; ms of CPU per committed create)\n\n`,
    );
    (ctx.detail.split ??= {}).samples = samples;
  },
};
