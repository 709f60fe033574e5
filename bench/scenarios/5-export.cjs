'use strict';
// 5. Export: CSV and NDJSON exports of the 1,000,000-event account through
//    createAuditExport and its signed URL (streamed and counted, never buffered) vs psql
//    `\copy (SELECT … same rows …) TO STDOUT WITH CSV` and the same rows as JSON lines
//    (`row_to_json`, in CSV format with a quote and a delimiter JSON never holds raw, so
//    each line goes out unchanged, as the export does); rows/s. Also the server's peak
//    RSS growth during the exports (/proc/<pid>/status VmRSS sampled every 50 ms;
//    the largest of the rounds is reported).

require('reflect-metadata');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ROOT, runStreaming } = require('../lib/procs.cjs');
const { DOCS } = require('../lib/seed.cjs');
const { logAccounts } = require('../lib/datasets.cjs');
const { gqlOk } = require('../lib/load.cjs');
const { resultRow } = require('../lib/report.cjs');
const { nowMs } = require('../lib/util.cjs');

const { AUDIT_COLUMNS } = require(path.join(ROOT, 'dist/src/audit/audit.records.js'));
const { retentionCutoff } = require(path.join(ROOT, 'dist/src/audit/audit.service.js'));

function countNewlines(chunk) {
  let n = 0;
  let i = -1;
  while ((i = chunk.indexOf(10, i + 1)) !== -1) n += 1;
  return n;
}

function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]);
}

/** Samples a process's RSS every 50 ms until stopped; returns { baseKb, peakKb }. */
function rssSampler(pid) {
  const baseKb = rssKb(pid);
  let peakKb = baseKb;
  const timer = setInterval(() => {
    try {
      peakKb = Math.max(peakKb, rssKb(pid));
    } catch {
      // the process is gone
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      peakKb = Math.max(peakKb, rssKb(pid));
      return { baseKb, peakKb, growthMb: (peakKb - baseKb) / 1024 };
    },
  };
}

/** GETs a URL and counts its lines without keeping the body. */
function streamLines(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`export download answered ${res.statusCode}`));
        }
        let lines = 0;
        let bytes = 0;
        res.on('data', (chunk) => {
          lines += countNewlines(chunk);
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ lines, bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

module.exports = {
  rounds: 3, // a round is long (a 100-event burst to 1,000 subscribers; a 1M-row export)
  name: 'export',
  title:
    'CSV and NDJSON exports of 1,000,000 events through the signed URL vs psql \\copy … TO STDOUT; rows/s and server RSS growth',
  async run(ctx) {
    const { large, small } = await logAccounts(ctx);
    const keyledger = await ctx.keyledger('keyledger');

    const keyledgerExport = async (account, format) => {
      const created = await gqlOk(keyledger.graphqlUrl, DOCS.CreateAuditExport, { input: { format } }, account.token);
      const sampler = rssSampler(keyledger.pid);
      const started = nowMs();
      const { lines, bytes } = await streamLines(created.createAuditExport.downloadUrl);
      const seconds = (nowMs() - started) / 1000;
      const rss = sampler.stop();
      const rows = format === 'CSV' ? lines - 1 : lines; // CSV: a header line
      return {
        rows,
        bytes,
        seconds,
        rowsPerSecond: rows / seconds,
        rssGrowthMb: rss.growthMb,
        rssBaseMb: rss.baseKb / 1024,
        rssPeakMb: rss.peakKb / 1024,
      };
    };

    // The same rows as the export: the account's events within the plan's retention, in seq order.
    const copy = async (account, format) => {
      const cutoff = retentionCutoff('ENTERPRISE').toISOString();
      const rows = `SELECT ${AUDIT_COLUMNS.replace(/\s+/g, ' ')} FROM audit_events WHERE account_id = '${account.accountId}' AND occurred_at >= '${cutoff}' ORDER BY seq`;
      const command =
        format === 'CSV'
          ? `\\copy (${rows}) TO STDOUT WITH CSV`
          : `\\copy (SELECT row_to_json(e) FROM (${rows}) e) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
      let lines = 0;
      let bytes = 0;
      const started = nowMs();
      await runStreaming(
        'psql',
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command],
        (chunk) => {
          lines += countNewlines(chunk);
          bytes += chunk.length;
        },
        { env: ctx.db.psqlEnv },
      );
      const seconds = (nowMs() - started) / 1000;
      return { rows: lines, bytes, seconds, rowsPerSecond: lines / seconds };
    };

    const targets = ['CSV', 'NDJSON'].flatMap((format) => [
      {
        name: `keyledger-${format}`,
        warm: () => keyledgerExport(small, format),
        measure: () => keyledgerExport(large, format),
      },
      { name: `psql-copy-${format}`, warm: () => copy(small, format), measure: () => copy(large, format) },
    ]);
    const samples = await ctx.alternate(targets, { value: (s) => s.rowsPerSecond });
    for (const format of ['CSV', 'NDJSON']) {
      const exported = samples[`keyledger-${format}`];
      const copied = samples[`psql-copy-${format}`];
      for (const s of exported) {
        ctx.log(
          `  keyledger ${format} export: ${s.rows} rows, ${(s.bytes / 1e6).toFixed(0)} MB in ${s.seconds.toFixed(1)} s; RSS ${s.rssBaseMb.toFixed(0)} → peak ${s.rssPeakMb.toFixed(0)} MB (+${s.rssGrowthMb.toFixed(1)} MB)`,
        );
      }
      for (const s of copied) {
        ctx.log(
          `  psql \\copy ${format}: ${s.rows} rows, ${(s.bytes / 1e6).toFixed(0)} MB in ${s.seconds.toFixed(1)} s`,
        );
      }
      const kRows = exported[0].rows;
      const cRows = copied[0].rows;
      if (Math.abs(kRows - cRows) > 10) {
        throw new Error(`${format} export and COPY returned different row counts: ${kRows} vs ${cRows}`);
      }
    }

    ctx.record(
      resultRow({
        scenario: '5 export',
        metric: 'CSV rows/s vs psql \\copy (1M events)',
        keyledger: ctx.median(samples['keyledger-CSV'].map((s) => s.rowsPerSecond)),
        baseline: ctx.median(samples['psql-copy-CSV'].map((s) => s.rowsPerSecond)),
        target: 0.9,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '5 export',
        metric: 'NDJSON rows/s vs psql \\copy of row_to_json (1M events)',
        keyledger: ctx.median(samples['keyledger-NDJSON'].map((s) => s.rowsPerSecond)),
        baseline: ctx.median(samples['psql-copy-NDJSON'].map((s) => s.rowsPerSecond)),
        target: 0.9,
      }),
    );
    ctx.record(
      resultRow({
        scenario: '5 export',
        metric: 'server peak RSS growth during export, MB (max of rounds)',
        keyledger: Math.max(...[...samples['keyledger-CSV'], ...samples['keyledger-NDJSON']].map((s) => s.rssGrowthMb)),
        baseline: null,
        target: 100,
        direction: 'lower',
        absolute: true,
        unit: 'MB',
      }),
    );
  },
};
