// Parsed and validated subscribe documents, shared by every operation that sends the same text.
import type { DocumentNode } from 'graphql';

/** How many documents `DocumentCache` keeps, and which. */
export interface DocumentCacheOptions {
  /**
   * Documents kept; the least recently used goes first.
   * @default 100
   */
  max?: number;
  /**
   * Longest query text kept (longer ones are parsed each time): with `max`, bounds the cache to a few
   * MB whatever valid documents clients send (an AST takes some 50 times its text).
   * @default 4096
   */
  maxQueryLength?: number;
}

/**
 * Documents that parsed and validated, by their query text. Ten thousand
 * dashboards subscribing with one document hold one AST, not ten thousand
 * (each is some 25 kB of tokens and nodes); a repeated subscribe skips parse
 * and validation. Only valid documents are kept (a refused text is parsed
 * again next time). Sound because the schema and the validation rules are
 * fixed for the life of the server, and graphql-js never changes a document
 * it executes.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();
  private readonly max: number;
  private readonly maxQueryLength: number;

  constructor({ max = 100, maxQueryLength = 4096 }: DocumentCacheOptions = {}) {
    this.max = max;
    this.maxQueryLength = maxQueryLength;
  }

  /** The valid document of `query`, if it is kept. */
  get(query: string): DocumentNode | undefined {
    const document = this.documents.get(query);
    if (document) {
      // Most recently used last: eviction takes the first.
      this.documents.delete(query);
      this.documents.set(query, document);
    }
    return document;
  }

  /** Keeps a document that parsed and validated (unless its text is too long to keep). */
  set(query: string, document: DocumentNode): void {
    if (query.length > this.maxQueryLength) return;
    this.documents.set(query, document);
    if (this.documents.size > this.max) this.documents.delete(this.documents.keys().next().value!);
  }
}
