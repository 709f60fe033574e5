'use strict';
// Child processes of the bench (servers under test, baselines, CLI calls) and their cleanup.

const { spawn } = require('node:child_process');
const path = require('node:path');
const { log } = require('./util.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
/** Every child still running: killed on exit, SIGINT or failure. */
const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Starts a long-running server child and resolves once it prints
 * "listening on http://…/graphql" on stdout. Rejects when it exits first.
 * `node` is the Node.js binary that runs `script` (default: the one running the bench).
 */
function startServer({
  name,
  script,
  args = [],
  env = {},
  nodeArgs = [],
  node = process.execPath,
  timeoutMs = 60_000,
}) {
  const child = track(
    spawn(node, [...nodeArgs, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const stderr = [];
  child.stderr.on('data', (chunk) => {
    const text = chunk.toString();
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${text}`);
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    const onData = (chunk) => {
      buffered += chunk.toString();
      const match = /listening on (http:\/\/\S+?)\/graphql/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        let stopping = false;
        child.once('exit', (code, signal) => {
          if (!stopping)
            log(
              `${name} (pid ${child.pid}) exited unexpectedly (${code ?? signal}); its last stderr:\n${stderr.join('').slice(-3000)}`,
            );
        });
        resolve({
          name,
          url: match[1],
          graphqlUrl: `${match[1]}/graphql`,
          pid: child.pid,
          child,
          stderr,
          stop: () => {
            stopping = true;
            return stopChild(child);
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${stderr.join('').slice(-2000)}`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
function stopChild(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs a command to completion; resolves with { code, stdout, stderr }.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, input?: string, cwd?: string, timeoutMs?: number }} [options]
 */
function run(command, args, { env = {}, input, cwd = ROOT, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Spawns a command whose stdout is consumed by `onChunk` (streamed, not buffered). */
function runStreaming(command, args, onChunk, { env = {}, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let stderr = '';
    child.stdout.on('data', onChunk);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve({ stderr }) : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
  });
}

async function stopAll() {
  await Promise.all([...children].map((child) => stopChild(child, 5000)));
}

function killAllSync() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (children.size > 0) log(`killed ${children.size} remaining child process(es)`);
}

module.exports = { ROOT, startServer, stopChild, run, runStreaming, stopAll, killAllSync, children };
