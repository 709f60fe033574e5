'use strict';
// Baseline of scenario 4: a plain `ws` server broadcasting each published event
// to every connected socket — the fastest plain fan-out. `POST /publish` carries
// a message template (a graphql-ws `next` message of a real keyledger event);
// the server stamps "occurredAt" (the commit instant, as keyledger's event
// carries its own), encodes the frame text once, and sends it to every socket.
// `GET /stats` answers { clients }.
//
// env: PORT (0 = any)

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');

const PLACEHOLDER = '__OCCURRED_AT__';

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const template = Buffer.concat(chunks).toString('utf8');
    const data = Buffer.from(template.replace(PLACEHOLDER, new Date().toISOString()));
    let sent = 0;
    for (const socket of wss.clients) {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(data, { binary: false });
        sent += 1;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ sent }));
  }
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ clients: wss.clients.size }));
  }
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(
    `raw-ws-broadcast listening on http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/graphql\n`,
  );
});
const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
