import { Readable } from 'node:stream';
import type { Connection, Submittable } from 'pg';

/** Encoded rows are gathered into chunks of about this many bytes, not handed on one by one. */
const CHUNK_BYTES = 256 * 1024;

/** Turns one COPY row (the bytes of one CopyData message) into output bytes. */
export interface RowEncoder {
  /** At most how many bytes `encode` writes for `row`. */
  maxBytes(row: Buffer): number;
  /** Writes `row`, encoded, into `into` from `at`; returns the offset after the last byte written. */
  encode(row: Buffer, into: Buffer, at: number): number;
}

/** "PGCOPY\n\377\r\n\0", then 32-bit flags and the header extension's length. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;

/**
 * Where the tuples of a binary COPY start: the first row also holds the file header. One per COPY.
 */
export class BinaryCopyTuples {
  private headerRead = false;

  /**
   * The offset of `row`'s first field length, after its field count, or -1 for the trailer. Throws when the
   * COPY is not binary or a tuple does not have `fields` fields.
   */
  fieldsStart(row: Buffer, fields: number): number {
    let read = 0;
    if (!this.headerRead) {
      if (row.length < HEADER_BYTES || !row.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
        throw new Error('not a binary COPY');
      }
      read = HEADER_BYTES + row.readUInt32BE(HEADER_BYTES - 4);
      this.headerRead = true;
    }
    const count = row.readInt16BE(read);
    if (count === -1) return -1;
    if (count !== fields) throw new Error(`a COPY row has ${count} fields, not ${fields}`);
    return read + 2;
  }
}

/**
 * `from[start…end]` into `into` at `at`; returns the offset after it. Fields are short: a loop is cheaper than a
 * native copy call for each.
 */
export function copyBytes(from: Uint8Array, start: number, end: number, into: Uint8Array, at: number): number {
  if (end - start > 64) {
    into.set(from.subarray(start, end), at);
    return at + end - start;
  }
  for (let i = start; i < end; i += 1) into[at++] = from[i]!;
  return at;
}

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
