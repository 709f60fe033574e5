'use strict';
// Scenario 3's write load, shared with the `split` diagnostic: `createApiKey` by 8 writers, each in
// its own account with an API key of its own, counted as committed creates (one event each).

const { CREATE_QUERY, createApiKey } = require('./seed.cjs');
const { cannon } = require('./load.cjs');
const { sleep } = require('./util.cjs');

const INPUT = { name: 'bench key', purpose: 'TEMPORARY_INTEGRATION', scopes: ['KEYS_READ'] };

/** Each account with an API key of its own (keys:write) to create keys with: `{ ...account, keyId, secret }`. */
function withWriterKeys(graphqlUrl, accounts) {
  return Promise.all(
    accounts.map(async (account) => {
      const key = await createApiKey(graphqlUrl, account.token, {
        name: 'bench writer',
        purpose: 'LONG_RUNNING_WORKFLOW',
        scopes: ['KEYS_READ', 'KEYS_WRITE'],
      });
      return { ...account, keyId: key.id, secret: key.secret };
    }),
  );
}

/**
 * `writers` = [{ accountId, secret }] (one autocannon connection each). `probe()` is called as the load
 * starts and returns `finish(events)`, called once it has settled; its fields join the run's result.
 */
function createLoad(db, writers) {
  const ids = writers.map((writer) => writer.accountId);
  const body = JSON.stringify({ query: CREATE_QUERY, variables: { input: INPUT }, operationName: 'CreateApiKey' });

  /** Events appended in the writers' accounts so far (a create appends exactly one). */
  const eventCount = async () =>
    Number((await db.sql('SELECT sum(last_seq) AS n FROM audit_chain_heads WHERE account_id = ANY($1)', [ids]))[0].n);

  /**
   * Every run starts with only the writers' own keys (the plan allows 1,000 active keys per account), and
   * with the table vacuumed: the deleted rows would otherwise slow every later run's quota count.
   */
  const clearCreated = async () => {
    await db.sql('DELETE FROM api_keys WHERE account_id = ANY($1) AND created_by_key_id IS NOT NULL', [ids]);
    await db.sql('VACUUM api_keys');
  };

  /**
   * One autocannon run against `server`: connection i creates keys in account i with writer i's key.
   *
   * @template {object} T
   * @param {{ name: string, graphqlUrl: string }} server
   * @param {number} duration seconds
   * @param {() => (events: number) => T} probe
   * @returns {Promise<{ eventsPerSecond: number, requestsPerSecond: number, events: number } & T>}
   */
  async function run(server, duration, probe) {
    await clearCreated();
    let next = 0;
    const setupClient = (client) => {
      const writer = writers[next++ % writers.length];
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` };
      client.setRequests([{ method: 'POST', headers, body }]);
    };
    const start = await eventCount();
    const finish = probe();
    const result = await cannon({ url: server.graphqlUrl, connections: writers.length, duration, body, setupClient });
    await sleep(100);
    const events = (await eventCount()) - start;
    if (result.non2xx + result.errors + result.graphqlErrors > 0) {
      throw new Error(
        `${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.graphqlErrors} GraphQL errors`,
      );
    }
    const counted = { eventsPerSecond: events / result.durationSeconds, requestsPerSecond: result.rps, events };
    return Object.assign(counted, finish(events));
  }

  return { run, eventCount, clearCreated };
}

module.exports = { INPUT, createLoad, withWriterKeys };
