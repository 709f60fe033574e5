// Apollo's executor for HTTP operations: a query or mutation document seen again runs as compiled JavaScript (graphql-jit).
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  execute,
  getVariableValues,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
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
    entry.compiled = compile(document, operationName);
    return entry.compiled;
  };

  const compile = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    try {
      const compiled = compileQuery(schema, document, operationName ?? undefined);
      return isCompiledQuery(compiled) ? compiled : null;
    } catch (error) {
      logger.warn({ err: error, operationName }, 'graphql-jit could not compile a query; it runs on graphql-js');
      return null;
    }
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
