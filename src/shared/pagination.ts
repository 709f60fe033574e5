import { Field, ObjectType } from 'type-graphql';
import { BadUserInputError } from './errors';

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Opaque cursor from its parts (kind-tagged so one list's cursor is not valid in another). */
export function encodeCursor(kind: string, parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...parts])).toString('base64url');
}

/** Parts of a cursor made by `encodeCursor` with the same kind; BAD_USER_INPUT when it is not one. */
export function decodeCursor(kind: string, cursor: string, field = 'after'): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed[0] === kind) return parsed.slice(1);
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError(`${field} is not a valid cursor`, field);
}

/** A page size (`first` or `last`) defaulted and bounded: a clear BAD_USER_INPUT naming the argument above the cap. */
export function pageSize(
  size: number | null | undefined,
  defaults: { default: number; max: number },
  field: 'first' | 'last' = 'first',
): number {
  if (size === undefined || size === null) return defaults.default;
  if (!Number.isInteger(size) || size < 1 || size > defaults.max) {
    throw new BadUserInputError(`${field} must be between 1 and ${defaults.max}`, field);
  }
  return size;
}

/** A Relay `pageInfo` for a page's edges (start and end cursors from the first and last edge). */
export function pageInfoOf(
  edges: readonly { cursor: string }[],
  page: { hasNextPage: boolean; hasPreviousPage: boolean },
): PageInfo {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}
