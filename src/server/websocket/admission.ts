// Socket caps at the HTTP upgrade, before any frame is read: per client address and per instance.
import http from 'node:http';
import type { Duplex } from 'node:stream';

/** Why a socket was refused at the upgrade. */
export type Refusal = 'per_ip_limit' | 'total_limit';

/**
 * Open WebSocket sockets per client address and in total. A place is taken at
 * the upgrade, before any frame is read, and given back when the TCP socket
 * closes (however the upgrade or the connection ends).
 */
export class SocketAdmission {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly perClient: number,
    private readonly max: number,
  ) {}

  /** Takes a place for `client` until `socket` closes; or says why there is none. */
  admit(client: string, socket: Duplex): Refusal | undefined {
    const held = this.byClient.get(client) ?? 0;
    if (held >= this.perClient) return 'per_ip_limit';
    if (this.total >= this.max) return 'total_limit';
    this.byClient.set(client, held + 1);
    this.total += 1;
    socket.once('close', () => {
      this.total -= 1;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    });
    return undefined;
  }
}

/** Answers an upgrade request with a plain HTTP error (JSON body) and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  // After an upgrade no listener of the HTTP server's is left on the socket: a reset must not go unhandled.
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
