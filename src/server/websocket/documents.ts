// Parsed and validated subscribe documents, shared by every operation that sends the same text.
import type { DocumentNode } from 'graphql';

/**
 * Documents that parsed and validated, by their query text. Ten thousand
 * dashboards subscribing with one document hold one AST, not ten thousand
 * (each is some 30 kB of tokens and nodes); a repeated subscribe skips parse
 * and validation. Only valid documents are kept (a refused text is parsed
 * again next time), at most `max`, the least recently used going first.
 * Sound because the schema and the validation rules are fixed for the life
 * of the server, and graphql-js never changes a document it executes.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();

  /** @param max Documents kept. @default 500 */
  constructor(private readonly max = 500) {}

  /** The valid document of `query`, if it has been seen. */
  get(query: string): DocumentNode | undefined {
    const document = this.documents.get(query);
    if (document) {
      // Most recently used last: eviction takes the first.
      this.documents.delete(query);
      this.documents.set(query, document);
    }
    return document;
  }

  /** Remembers a document that parsed and validated. */
  set(query: string, document: DocumentNode): void {
    this.documents.set(query, document);
    if (this.documents.size > this.max) this.documents.delete(this.documents.keys().next().value!);
  }
}
