// The only place that touches ws' internals (its private `_socket`). Justified by `npm run bench -- fanout`
// (scenario 4, 1,000 subscribers): corking each connection's frames for one event-loop turn raised the burst
// rate from 0.31x to 0.36x raw ws broadcast when it was added (BENCHMARKS.md, history); the later gains came
// from shared results (shared-results.ts) on top of it.
import type { Socket } from 'node:net';
import { type WebSocket } from 'ws';

/**
 * Coalesces the frames a socket sends within one turn of the event loop into
 * one write: an event delivered to ten subscriptions of one connection costs
 * one syscall, not ten. (ws exposes no corking of its own; this corks the
 * underlying TCP socket until the turn ends.)
 */
export function coalesceWrites(socket: WebSocket): void {
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  if (!tcp || typeof tcp.cork !== 'function') return;
  type Send = (data: unknown, options?: unknown, cb?: unknown) => void;
  const send = socket.send.bind(socket) as Send;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  (socket as unknown as { send: Send }).send = (data, options, cb) => {
    if (!corked) {
      corked = true;
      tcp.cork();
      setImmediate(uncork);
    }
    send(data, options, cb);
  };
}
