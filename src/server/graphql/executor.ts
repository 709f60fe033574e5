// Apollo's executor for HTTP operations: a query or mutation document seen again runs as compiled JavaScript (graphql-jit).
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  execute,
  getVariableValues,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { PromiseOrValue } from 'graphql/jsutils/PromiseOrValue';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Logger } from 'pino';

/** How `compiledExecution` treats the documents it runs. */
export interface CompiledExecutionOptions {
  /**
   * The use of a document that compiles it: the uses before it run on graphql-js, so a document
   * sent once (a hostile client's throwaway queries) never pays for, nor keeps, a compilation.
   * @default 2
   */
  compileOnUse: number;
  /** Documents tracked (compiled or counted), which bounds the memory compiled code takes; the least recently used goes first. @default 200 */
  maxDocuments: number;
}

export const DEFAULT_COMPILED_EXECUTION: CompiledExecutionOptions = { compileOnUse: 2, maxDocuments: 200 };

/** What Apollo takes in place of a schema to run operations itself. */
type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** A document's uses so far, and its compiled form once it has one (null: it does not compile; stay on graphql-js). */
interface Tracked {
  uses: number;
  compiled?: CompiledQuery | null;
}

/**
 * Apollo's gateway interface used for one thing: a cheaper executor. Everything before
 * execution stays Apollo's (parse and validation, cached per document; the query limits
 * and the other plugins), and every resolver runs as it would on graphql-js — the schema's
 * own, with the `@entitled` and input-check wrappers, the authorization and permission
 * checks — so a compiled operation is refused exactly where an interpreted one is.
 * Queries and mutations compile (a mutation's top-level fields still run one after
 * another, as graphql-jit executes mutations serially); graphql-jit replaces graphql-js's
 * per-field work (argument values, paths, completion) on documents that come back, such
 * as a client's page query or an integration's createApiKey. Subscriptions are served
 * over WebSocket and never reach this executor.
 */
export function compiledExecution(
  schema: GraphQLSchema,
  logger: Logger,
  options: CompiledExecutionOptions = DEFAULT_COMPILED_EXECUTION,
): Gateway {
  // Keyed by Apollo's cached document (the same object for the same query text while Apollo keeps it).
  const tracked = new Map<DocumentNode, Map<string, Tracked>>();

  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    let byOperation = tracked.get(document);
    if (byOperation) {
      // Most recently used last: Map keeps insertion order.
      tracked.delete(document);
    } else {
      byOperation = new Map();
      if (tracked.size >= options.maxDocuments) tracked.delete(tracked.keys().next().value!);
    }
    tracked.set(document, byOperation);
    const key = operationName ?? '';
    let entry = byOperation.get(key);
    if (!entry) byOperation.set(key, (entry = { uses: 0 }));
    if (entry.compiled !== undefined) return entry.compiled;
    entry.uses += 1;
    if (entry.uses < options.compileOnUse) return null;
    entry.compiled = compiledOrNull(schema, document, operationName, logger);
    return entry.compiled;
  };

  const executor: Executor = async ({ document, operation, operationName, request, context }) => {
    const compiled = operation.operation === 'subscription' ? null : compiledFor(document, operationName);
    // Variables graphql-js would refuse go to graphql-js, so the refusal (message, BAD_USER_INPUT, 400) is its own.
    if (compiled && !getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}).errors) {
      return withGraphQLErrors(await compiled.query(undefined, context, request.variables));
    }
    return execute({
      schema,
      document,
      contextValue: context,
      variableValues: request.variables,
      operationName: request.operationName,
    });
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {
      tracked.clear();
    },
  };
}

/**
 * The execution of a subscription document for one event of its source stream (the event as
 * root value), compiled once per document and operation: the WebSocket face runs it once per
 * event and subscription shape. Every resolver and wrapper is the schema's own, as on
 * graphql-js; a document graphql-jit cannot compile keeps graphql-js's `execute`.
 */
export class CompiledEventExecution {
  private readonly compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  constructor(private readonly logger: Logger) {}

  /** `(event) => result` for the subscription of `args`. */
  runnerFor(args: ExecutionArgs): (event: unknown) => PromiseOrValue<ExecutionResult> {
    const compiled = this.compiledFor(args);
    if (!compiled) return (event) => execute({ ...args, rootValue: event });
    return (event) => {
      const result = compiled.query(event, args.contextValue, args.variableValues ?? {});
      return isPromise(result) ? result.then(withGraphQLErrors) : withGraphQLErrors(result);
    };
  }

  private compiledFor({ schema, document, operationName }: ExecutionArgs): CompiledQuery | null {
    let byOperation = this.compiled.get(document);
    if (!byOperation) this.compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let compiled = byOperation.get(key);
    if (compiled === undefined) {
      compiled = compiledOrNull(schema, document, operationName ?? null, this.logger);
      byOperation.set(key, compiled);
    }
    return compiled;
  }
}

/** `document`'s operation compiled by graphql-jit, or null (logged) when it cannot be: it then runs on graphql-js. */
function compiledOrNull(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null,
  logger: Logger,
): CompiledQuery | null {
  try {
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch (error) {
    logger.warn({ err: error, operationName }, 'graphql-jit could not compile an operation; it runs on graphql-js');
    return null;
  }
}

function isPromise<T>(value: PromiseOrValue<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}

/**
 * graphql-jit's errors as graphql-js makes them (its own lack `extensions` when the thrown
 * error has none, which Apollo's error formatting needs): same message, locations, path and
 * original error, so `formatError` masks or passes them exactly as on graphql-js.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) =>
    Object.assign(
      new GraphQLError(error.message, {
        path: error.path,
        originalError: error.originalError ?? undefined,
        extensions: error.extensions,
      }),
      { locations: error.locations },
    ),
  );
  return { ...result, errors };
}
