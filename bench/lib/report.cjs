'use strict';
// Result rows, the printed table, results.json, and the CPU-profile summary.

const fs = require('node:fs');
const path = require('node:path');
const { fmt, round, table } = require('./util.cjs');

/**
 * A result row. `direction` says which way is good for the ratio:
 * 'higher' (ratio ≥ target) or 'lower' (ratio ≤ target). For absolute
 * targets (no baseline) `absolute: true` compares `keyledger` itself.
 */
function resultRow({
  scenario,
  metric,
  keyledger,
  baseline,
  target,
  direction = 'higher',
  absolute = false,
  unit = '',
}) {
  const ratio = !absolute && keyledger != null && baseline ? keyledger / baseline : null;
  const subject = absolute ? keyledger : ratio;
  const pass =
    target == null || subject == null ? null : direction === 'higher' ? subject >= target : subject <= target;
  const sign = direction === 'higher' ? '>=' : '<=';
  return {
    scenario,
    metric,
    keyledger: round(keyledger, 3),
    baseline: round(baseline, 3),
    ratio: round(ratio, 3),
    target: target == null ? null : `${absolute ? 'keyledger' : 'ratio'} ${sign} ${target}${unit ? ` ${unit}` : ''}`,
    pass,
  };
}

function renderTable(rows) {
  return table(
    ['scenario', 'metric', 'keyledger', 'baseline', 'ratio', 'target (direction)', 'pass'],
    rows.map((row) => [
      row.scenario,
      row.metric,
      fmt(row.keyledger),
      fmt(row.baseline),
      row.ratio == null ? '—' : row.ratio.toFixed(3),
      row.target == null
        ? '(info)'
        : `${row.target} (${row.target.includes('>=') ? 'higher is better' : 'lower is better'})`,
      row.pass == null ? '—' : row.pass ? 'PASS' : 'FAIL',
    ]),
  );
}

function writeResults(file, rows) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}

/**
 * Top self-time functions of a V8 .cpuprofile, and self time per file
 * (dist/src/x.js shown as src/x.ts; node_modules by package).
 */
function summarizeProfile(file, top = 20) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const byFunction = new Map();
  const byFile = new Map();
  const byCategory = new Map();
  let idle = 0;
  for (const [id, time] of self) {
    const { callFrame } = byId.get(id);
    const where = locationOf(callFrame.url);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += time;
      continue;
    }
    const key = `${name} ${where}${callFrame.url && !callFrame.url.startsWith('node:') ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
    const fileKey = groupOf(where) || name;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + time);
    const category = categoryOf(name, where);
    byCategory.set(category, (byCategory.get(category) ?? 0) + time);
  }
  // Inclusive (self + callees on the synchronous stack) time of the product's own functions.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  for (const [id, time] of self) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at);
      const where = locationOf(callFrame.url);
      if (!where.startsWith('src/')) continue;
      const key = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + time);
    }
  }
  const busy = total - idle;
  const pct = (time) => `${((100 * time) / busy).toFixed(1)}%`;
  const lines = [
    `profile ${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s on CPU (${((100 * busy) / total).toFixed(0)}%)`,
    'self time by category:',
    ...[...byCategory].sort((a, b) => b[1] - a[1]).map(([key, time]) => `  ${pct(time).padStart(6)}  ${key}`),
    'top self time (share of on-CPU time):',
    ...[...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, time]) => `  ${pct(time).padStart(6)}  ${key}`),
    'inclusive time of src/ functions (synchronous stacks only; line numbers are of dist/src/*.js):',
    ...[...inclusive]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([key, time]) => `  ${pct(time).padStart(6)}  ${key}`),
    'self time by file / package:',
    ...[...byFile]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([key, time]) => `  ${pct(time).padStart(6)}  ${key}`),
  ];
  return lines.join('\n');
}

function locationOf(url) {
  if (!url) return '';
  if (url.startsWith('node:')) return url;
  const clean = url.replace(/^file:\/\//, '');
  const dist = /\/dist\/(src\/.*)\.js$/.exec(clean);
  if (dist) return `${dist[1]}.ts`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(clean);
  if (module) return `${module[1]}/${module[2]}`;
  return clean;
}

/** @type {Array<[RegExp | null, RegExp | null, string]>} */
const CATEGORIES = [
  [/^\(garbage collector\)$/, null, 'garbage collection'],
  [null, /^(@mikro-orm\/|knex\/|tarn\/)/, 'ORM: MikroORM + knex + tarn'],
  [
    null,
    /^(@apollo\/|graphql\/|type-graphql\/|graphql-ws\/|@graphql-tools\/|graphql-scalars\/)/,
    'GraphQL: Apollo, graphql-js, type-graphql, graphql-ws',
  ],
  [null, /^(pg|pg-protocol|pg-types|pg-cursor|pg-query-stream|postgres-[a-z]+)\//, 'PostgreSQL driver: pg'],
  [null, /^ws\//, 'WebSocket: ws'],
  [null, /^rate-limiter-flexible\//, 'rate-limiter-flexible'],
  [null, /^(pino|pino-std-serializers|sonic-boom|thread-stream)\//, 'logging: pino'],
  [null, /^src\//, 'keyledger src/'],
  [
    /^(writev|writeBuffer|writevGeneric|writeGeneric|writeUtf8String|writeLatin1String)$/,
    null,
    'socket writes (syscalls)',
  ],
  [null, /^node:/, 'Node.js internals'],
];

function categoryOf(name, where) {
  for (const [nameRe, whereRe, label] of CATEGORIES) {
    if ((nameRe && nameRe.test(name)) || (whereRe && whereRe.test(where))) return label;
  }
  return 'other (V8 builtins, native, program)';
}

/** node_modules files grouped by package; everything else by file. */
function groupOf(where) {
  const module = /^((?:@[^/]+\/)?[^/]+)\//.exec(where);
  if (module && !where.startsWith('src/') && !where.startsWith('node:') && !where.startsWith('/'))
    return `${module[1]} (package)`;
  return where;
}

module.exports = { resultRow, renderTable, writeResults, summarizeProfile };
