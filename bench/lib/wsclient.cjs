'use strict';
// Lightweight WebSocket subscribers for the fan-out scenarios. Thousands of them
// live in the orchestrator, so receiving is kept cheap and identical for
// keyledger and the raw baseline: a `next` message is not JSON-parsed, only its
// "occurredAt" is read to compute commit-to-delivery latency.

const WebSocket = require('ws');
const { nowMs } = require('./util.cjs');

const OCCURRED = '"occurredAt":"';

/** Collects delivered messages and their latencies (ms, receive time − occurredAt). */
class Sink {
  constructor() {
    this.reset();
  }
  reset() {
    this.sample = undefined;
    this.count = 0;
    this.latencies = [];
    this.lastAt = 0;
    this.firstAt = 0;
    this.errors = [];
  }
  onNext(text) {
    const at = nowMs();
    const i = text.indexOf(OCCURRED);
    if (i >= 0) {
      const occurred = Date.parse(text.slice(i + OCCURRED.length, i + OCCURRED.length + 24));
      this.latencies.push(at - occurred);
    }
    if (this.count === 0) {
      this.firstAt = at;
      this.sample = text;
    }
    this.count += 1;
    this.lastAt = at;
  }
}

/** One graphql-transport-ws connection speaking the protocol by hand (connection_init, subscribe, next, ping/pong). */
function connectGraphqlWs(url, token, sink) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    let acked = false;
    let nextId = 1;
    const fail = (error) => {
      if (!acked) reject(error);
    };
    socket.on('error', fail);
    socket.on('close', (code, reason) => {
      if (!acked) reject(new Error(`closed ${code} ${reason}`));
      else if (code !== 1000 && code !== 1001 && code !== 1005) sink.errors.push(`closed ${code} ${reason}`);
    });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"type":"next"')) return sink.onNext(text);
      const message = JSON.parse(text);
      if (message.type === 'connection_ack') {
        acked = true;
        resolve({
          socket,
          subscribe(query, variables) {
            const id = String(nextId++);
            socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
            return id;
          },
          close: () => closeSocket(socket),
        });
      } else if (message.type === 'ping') {
        socket.send('{"type":"pong"}');
      } else if (message.type === 'error') {
        sink.errors.push(JSON.stringify(message.payload).slice(0, 300));
      }
    });
  });
}

/** A plain WebSocket receiving broadcast frames (the raw baseline's subscribers). */
function connectRaw(url, sink) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', reject);
    socket.on('message', (data) => sink.onNext(data.toString()));
    socket.on('open', () => resolve({ socket, close: () => closeSocket(socket) }));
  });
}

function closeSocket(socket) {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(1000);
  });
}

module.exports = { Sink, connectGraphqlWs, connectRaw };
