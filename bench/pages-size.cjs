#!/usr/bin/env node
// @ts-check
'use strict';
// `npm run bench:pages` (after `npm run build`)
//
// The JavaScript each settings page loads first, gzipped: the HTML entry's module scripts and modulepreloads,
// then every module they import statically, each counted once. Prints a table in kB (1 kB = 1000 bytes) and
// exits 1 when a page is over its budget (150 kB gzipped, or PAGES_JS_BUDGET_KB).

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '../dist/web');
const PAGES = ['app/login/index.html', 'app/settings/api-keys/index.html', 'app/settings/audit/index.html'];
// Built beside the pages but left out of the budget on purpose: the API explorer (GraphiQL with the Monaco editor,
// several MB), which the service serves only outside production, on a browser's GET /graphql.
const NOT_BUDGETED = ['app/graphiql/index.html'];
const BUDGET_KB = Number(process.env.PAGES_JS_BUDGET_KB ?? 150);

/**
 * Absolute paths of the JS files an HTML entry loads before any user action.
 * @param {string} htmlFile
 * @returns {string[]}
 */
function firstLoadScripts(htmlFile) {
  const html = fs.readFileSync(htmlFile, 'utf8');
  const urls = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((match) => /** @type {string} */ (match[1]));
  const seen = new Set(urls.map((url) => path.join(ROOT, url)));
  const queue = [...seen];
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.shift());
    const code = fs.readFileSync(file, 'utf8');
    // Static imports only (`import{…}from"./x.js"`, `import"./x.js"`); `import("./x.js")` loads later.
    for (const match of code.matchAll(/(?:from|import)\s*["']([^"']+\.js)["']/g)) {
      const imported = path.resolve(path.dirname(file), /** @type {string} */ (match[1]));
      if (!seen.has(imported)) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  return [...seen];
}

/** @param {number} bytes */
const kB = (bytes) => (bytes / 1000).toFixed(1);

function main() {
  if (!fs.existsSync(ROOT)) {
    console.error(`${ROOT} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
  let over = false;
  console.log(`${'page'.padEnd(36)} ${'files'.padStart(5)} ${'raw kB'.padStart(8)} ${'gzip kB'.padStart(8)}`);
  for (const page of PAGES) {
    const scripts = firstLoadScripts(path.join(ROOT, page));
    let raw = 0;
    let gzipped = 0;
    for (const file of scripts) {
      const code = fs.readFileSync(file);
      raw += code.length;
      gzipped += zlib.gzipSync(code, { level: 9 }).length;
    }
    const name = `/${path.dirname(page)}`;
    const flag = gzipped / 1000 > BUDGET_KB ? `  over the ${BUDGET_KB} kB budget` : '';
    over ||= flag !== '';
    console.log(
      `${name.padEnd(36)} ${String(scripts.length).padStart(5)} ${kB(raw).padStart(8)} ${kB(gzipped).padStart(8)}${flag}`,
    );
  }
  for (const page of NOT_BUDGETED) console.log(`${`/${path.dirname(page)}`.padEnd(36)} not budgeted (API explorer)`);
  if (over) process.exit(1);
}

main();
