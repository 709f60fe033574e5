'use strict';
// Baseline of scenario 4: a plain `ws` server broadcasting each published event
// to every connected socket — the fastest plain fan-out. `POST /publish` carries
// a message template (a graphql-ws `next` message of a real keyledger event);
// the server stamps "occurredAt" (the commit instant, as keyledger's event
// carries its own), encodes the frame text once, and sends it to every socket.
// Rooms stand for accounts (the 10,000-socket row): a socket opened on `/?room=<r>`
// joins room r, and `POST /publish?room=<r>&count=<n>` sends n messages to that
// room's sockets only (a keyledger call recording n events of one account).
// `GET /stats` answers { clients }.
//
// env: PORT (0 = any)

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');

const PLACEHOLDER = '__OCCURRED_AT__';
/** @type {Map<string, Set<WebSocket>>} */
const rooms = new Map();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/publish') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const template = Buffer.concat(chunks).toString('utf8');
    const room = url.searchParams.get('room');
    const sockets = room === null ? wss.clients : (rooms.get(room) ?? new Set());
    const count = Number(url.searchParams.get('count') ?? 1);
    let sent = 0;
    for (let i = 0; i < count; i++) {
      const data = Buffer.from(template.replace(PLACEHOLDER, new Date().toISOString()));
      for (const socket of sockets) {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(data, { binary: false });
          sent += 1;
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ sent }));
  }
  if (req.method === 'GET' && url.pathname === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ clients: wss.clients.size }));
  }
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (socket, request) => {
  const room = new URL(request.url ?? '/', 'http://localhost').searchParams.get('room');
  if (room === null) return;
  if (!rooms.has(room)) rooms.set(room, new Set());
  rooms.get(room).add(socket);
  socket.once('close', () => rooms.get(room)?.delete(socket));
});

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
