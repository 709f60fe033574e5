import { ErrorCode } from './errors';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** Largest accepted request: an HTTP body, and a WebSocket frame (larger frames close the socket with 1009). */
export const MAX_BODY_BYTES = 100 * 1024;

/** Bounds on one GraphQL operation; each is configurable (see config.ts). */
export interface QueryLimits {
  /** Deepest field nesting. @default 10 */
  maxDepth: number;
  /** Total cost: every field costs 1, and a field's subtree is multiplied by its `first`/`last`. @default 25000 */
  maxCost: number;
  /** Aliased fields. @default 20 */
  maxAliases: number;
  /** Directive uses. @default 10 */
  maxDirectives: number;
  /** Lexical tokens of the document (enforced by the parser). @default 2000 */
  maxTokens: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxCost: 25_000,
  maxAliases: 20,
  maxDirectives: 10,
  maxTokens: 2000,
};

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
  directives: number;
}

/**
 * The integer an argument will have: a literal, or a variable's value, or its
 * default when the request does not give it (as execution will).
 */
function intOf(
  value: ValueNode,
  variables: Record<string, unknown>,
  defaults: ReadonlyMap<string, ValueNode>,
  onVariable: () => void = () => undefined,
): number | undefined {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    onVariable();
    const name = value.name.value;
    if (Object.hasOwn(variables, name)) {
      const given = variables[name];
      return typeof given === 'number' ? given : undefined;
    }
    const fallback = defaults.get(name);
    return fallback ? intOf(fallback, {}, new Map()) : undefined;
  }
  return undefined;
}

/**
 * Measures of operations that depend on no variable, by document (the same object for the same
 * query text while Apollo's document cache, or the WebSocket face's, keeps it) and operation name.
 */
const fixedMeasures = new WeakMap<DocumentNode, Map<string, Measure>>();

/** `measureOperation`, remembered for an operation whose page sizes are literals (most documents). */
function measureOf(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): Measure | undefined {
  const key = operationName ?? '';
  const known = fixedMeasures.get(document)?.get(key);
  if (known) return known;
  let usesVariables = false;
  const measured = measureOperation(document, operationName, variables, () => (usesVariables = true));
  if (measured && !usesVariables) {
    let byOperation = fixedMeasures.get(document);
    if (!byOperation) fixedMeasures.set(document, (byOperation = new Map()));
    byOperation.set(key, measured);
  }
  return measured;
}

/**
 * Depth, cost, aliases and directives of an operation (fragments measured once each);
 * `onVariable` is called when a page size comes from a variable.
 */
export function measureOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
  onVariable: () => void = () => undefined,
): Measure | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();

  const walk = (selectionSet: SelectionSetNode): Measure => {
    const total: Measure = { depth: 0, cost: 0, aliases: 0, directives: 0 };
    const add = (part: Measure, extraDepth: number) => {
      total.depth = Math.max(total.depth, part.depth + extraDepth);
      total.cost += part.cost;
      total.aliases += part.aliases;
      total.directives += part.directives;
    };
    for (const selection of selectionSet.selections) {
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) total.aliases += 1;
        if (!selection.selectionSet) {
          add({ depth: 1, cost: 1, aliases: 0, directives: 0 }, 0);
          continue;
        }
        const child = walk(selection.selectionSet);
        const size = selection.arguments
          ?.filter((argument) => argument.name.value === 'first' || argument.name.value === 'last')
          .map((argument) => intOf(argument.value, variables, defaults, onVariable))
          .find((value) => value !== undefined);
        const multiplier = Math.max(1, size ?? 1);
        add(
          {
            depth: child.depth,
            cost: 1 + multiplier * child.cost,
            aliases: child.aliases,
            directives: child.directives,
          },
          1,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walk(selection.selectionSet), 0);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // unknown or cyclic: validation reports it
        let measured = memo.get(name);
        if (!measured) {
          visiting.add(name);
          measured = walk(fragment.selectionSet);
          visiting.delete(name);
          memo.set(name, measured);
        }
        add(measured, 0);
      }
    }
    return total;
  };
  return walk(operation.selectionSet);
}

/** The first limit the operation exceeds, as a GraphQL error naming the limit and its value; else undefined. */
export function checkQueryLimits(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): GraphQLError | undefined {
  const measured = measureOf(document, operationName, variables ?? {});
  if (!measured) return undefined;
  const checks: [keyof Measure, number, string][] = [
    ['depth', limits.maxDepth, 'depth'],
    ['aliases', limits.maxAliases, 'aliases'],
    ['directives', limits.maxDirectives, 'directives'],
    ['cost', limits.maxCost, 'cost'],
  ];
  for (const [key, max, name] of checks) {
    if (measured[key] > max) {
      return new GraphQLError(`Query ${name} ${measured[key]} exceeds the limit of ${max}`, {
        extensions: {
          code: ErrorCode.QUERY_TOO_COMPLEX,
          limit: name,
          max,
          actual: measured[key],
          http: { status: 400 },
        },
      });
    }
  }
  return undefined;
}
