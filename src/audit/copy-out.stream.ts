import { Readable } from 'node:stream';
import type { Connection, Submittable } from 'pg';

/** Encoded rows are gathered into chunks of about this many bytes, not handed on one by one. */
const CHUNK_BYTES = 64 * 1024;

/** Turns one COPY row (the bytes of one CopyData message) into output bytes. */
export interface RowEncoder {
  /** At most how many bytes `encode` writes for `row`. */
  maxBytes(row: Buffer): number;
  /** Writes `row`, encoded, into `into` from `at`; returns the offset after the last byte written. */
  encode(row: Buffer, into: Buffer, at: number): number;
}

/** Passes rows through unchanged (text or CSV format: each row already ends with "\n"). */
export const ROWS_AS_IS: RowEncoder = {
  maxBytes: (row) => row.length,
  encode: (row, into, at) => at + row.copy(into, at),
};

/**
 * The output of a `COPY … TO STDOUT` as a byte stream, each row encoded by a
 * RowEncoder. Run it with `client.query(stream)`.
 *
 * PostgreSQL sends every row of a COPY TO in a CopyData message of its own
 * ("always one per row", protocol docs), so the encoder always sees whole rows
 * (in binary format, the first message also holds the file header and the last
 * one is the trailer). The connection's socket is paused while the reader is
 * behind. PostgreSQL cannot stop a COPY midway: when the stream is destroyed
 * before it ends, end the client rather than reuse it.
 */
export class CopyOutStream extends Readable implements Submittable {
  private connection: Connection | null = null;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private socketPaused = false;
  private ended = false;

  /**
   * @param text the `COPY (…) TO STDOUT` statement
   * @param encoder how each row is written out
   * @param head bytes the output starts with (a header line)
   */
  constructor(
    private readonly text: string,
    private readonly encoder: RowEncoder,
    head?: Buffer,
  ) {
    super();
    if (head) {
      this.reserve(head.length);
      this.used += head.copy(this.chunk, this.used);
    }
  }

  /** Called by pg when the client is ready for the statement. */
  submit(connection: Connection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  /** One row. pg reuses the memory behind it: it is encoded at once, never kept. */
  handleCopyData(message: { chunk: Buffer }): void {
    if (this.destroyed) return;
    try {
      this.reserve(this.encoder.maxBytes(message.chunk));
      this.used = this.encoder.encode(message.chunk, this.chunk, this.used);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.ended = true;
    if (!this.destroyed) {
      this.flush();
      this.push(null);
    }
    // The client goes back to the pool: its socket must flow again.
    this.resumeSocket();
  }

  handleError(error: Error): void {
    this.ended = true;
    this.resumeSocket();
    this.destroy(error);
  }

  override _read(): void {
    this.resumeSocket();
  }

  /** Makes room for `bytes` more bytes in the current chunk. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.chunk.length) return;
    this.flush();
    if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(bytes);
  }

  private flush(): void {
    if (this.used === 0) return;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    if (!this.push(full) && this.connection && !this.socketPaused && !this.ended) {
      this.socketPaused = true;
      this.connection.stream.pause();
    }
  }

  private resumeSocket(): void {
    if (!this.socketPaused || !this.connection) return;
    this.socketPaused = false;
    this.connection.stream.resume();
  }
}
