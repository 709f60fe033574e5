'use strict';
// A TCP proxy in front of PostgreSQL that counts what a client sends: simple
// queries ('Q') and extended-protocol syncs ('S', one per parameterized
// statement with node-postgres) — i.e. database round trips — and Parse messages.
// Used by the `dbtrips` diagnostic to show how many round trips one request costs.

const net = require('node:net');

function startCountingProxy(targetUrl) {
  const target = new URL(targetUrl);
  const counts = { queries: 0, syncs: 0, parses: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let buffered = Buffer.alloc(0);
    let started = false; // the startup message has no type byte
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      for (;;) {
        if (!started) {
          if (buffered.length < 8) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(length);
          // SSLRequest / GSSENCRequest are followed by another startup message.
          if (code !== 80877103 && code !== 80877104) started = true;
          continue;
        }
        if (buffered.length < 5) break;
        const length = buffered.readInt32BE(1);
        if (buffered.length < 1 + length) break;
        const type = String.fromCharCode(buffered[0]);
        if (type === 'Q') counts.queries += 1;
        else if (type === 'S') counts.syncs += 1;
        else if (type === 'P') counts.parses += 1;
        buffered = buffered.subarray(1 + length);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = new URL(targetUrl);
      url.hostname = '127.0.0.1';
      url.port = String(/** @type {import('node:net').AddressInfo} */ (server.address()).port);
      resolve({
        url: url.toString(),
        counts,
        /** Round trips so far: simple queries plus extended-protocol syncs. */
        roundTrips: () => counts.queries + counts.syncs,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { startCountingProxy };
