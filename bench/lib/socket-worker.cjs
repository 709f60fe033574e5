'use strict';
// A child process holding many WebSocket subscribers for the orchestrator (scenario 4's
// 10,000-socket row): one process may hold only `ulimit -n` sockets, and the keyledger
// and raw-ws sides of one alternation hold 10,000 each. Receiving is the same cheap
// `Sink` as in the orchestrator. Driven over IPC by `startSocketWorker` below:
//   { cmd: 'graphql-ws', url, query, groups: [{ token, sockets }] }  one subscription per socket
//   { cmd: 'raw', url, rooms, sockets }                                sockets spread over rooms (?room=i)
//   { cmd: 'stats' } → { count, lastAt, firstAt, errors }, { cmd: 'reset' }, { cmd: 'close' }

const { fork } = require('node:child_process');
const path = require('node:path');
const { Sink, connectGraphqlWs, connectRaw } = require('./wsclient.cjs');
const { mapLimit } = require('./util.cjs');

/** Sockets opened at once: enough to connect 10,000 in seconds, few enough not to flood the accept queue. */
const CONNECT_CONCURRENCY = 64;

async function serve() {
  const sink = new Sink();
  /** @type {Array<{ close(): Promise<void> }>} */
  let sockets = [];
  const handlers = {
    async 'graphql-ws'({ url, query, groups }) {
      const plan = groups.flatMap(({ token, sockets: n }) => Array.from({ length: n }, () => token));
      sockets = await mapLimit(plan, CONNECT_CONCURRENCY, async (token) => {
        const connection = await connectGraphqlWs(url, token, sink);
        connection.subscribe(query, {});
        return connection;
      });
      return { sockets: sockets.length };
    },
    async raw({ url, rooms, sockets: n }) {
      sockets = await mapLimit([...Array(n).keys()], CONNECT_CONCURRENCY, (i) =>
        connectRaw(`${url}?room=${i % rooms}`, sink),
      );
      return { sockets: sockets.length };
    },
    async stats() {
      return { count: sink.count, firstAt: sink.firstAt, lastAt: sink.lastAt, errors: sink.errors.slice(0, 3) };
    },
    async sample() {
      return { sample: sink.sample };
    },
    async reset() {
      sink.reset();
      return {};
    },
    async close() {
      await Promise.all(sockets.map((socket) => socket.close()));
      sockets = [];
      return {};
    },
  };
  process.on('message', async ({ id, cmd, ...args }) => {
    try {
      process.send({ id, ok: true, value: await handlers[cmd](args) });
    } catch (error) {
      process.send({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * Forks a socket worker; returns { call(cmd, args) → Promise, stop() }.
 * The orchestrator's `procs` cleanup does not know it: `stop()` it in a `finally`.
 */
function startSocketWorker() {
  const child = fork(path.join(__dirname, 'socket-worker.cjs'), ['--worker'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  child.on('message', (message) => {
    const { id, ok, value, error } = /** @type {{ id: number, ok: boolean, value?: unknown, error?: string }} */ (
      message
    );
    const waiter = pending.get(id);
    pending.delete(id);
    if (ok) waiter?.resolve(value);
    else waiter?.reject(new Error(`socket worker: ${error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`socket worker exited with ${code}`));
    pending.clear();
  });
  return {
    pid: child.pid,
    call(cmd, args = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, ...args });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

if (require.main === module && process.argv.includes('--worker')) void serve();

module.exports = { startSocketWorker };
