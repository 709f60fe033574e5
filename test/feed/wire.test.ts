import { print } from 'graphql';
import WebSocket from 'ws';
import {
  AuditEventStreamDocument,
  AuditEventsDocument,
  UpdateAccountSettingsDocument,
} from '../../src/client/generated/graphql';
import { Plan } from '../../src/entitlements/plans';
import { createApiKey } from '../support/fixtures';
import { startTestEnv, type Instance, type TestEnv } from '../support/harness';
import { eventually, within } from '../support/wait';

/**
 * What live subscribers receive on the wire: every `next` message is exactly
 * the graphql-transport-ws frame of its own subscription, whichever other
 * subscriptions (of the same or another shape) share the connection and the
 * events.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(() => env.close());

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A graphql-transport-ws connection spoken by hand, keeping every text frame as it arrived. */
async function openRawConnection(instance: Instance, token: string) {
  const socket = new WebSocket(`${instance.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const frames: string[] = [];
  let acked!: () => void;
  const ack = new Promise<void>((resolve) => (acked = resolve));
  socket.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    const text = data.toString();
    frames.push(text);
    if ((JSON.parse(text) as Message).type === 'connection_ack') acked();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await within(ack, 'connection_ack');
  return {
    frames,
    subscribe(id: string, query: string, variables: Record<string, unknown> = {}) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    },
    complete(id: string) {
      socket.send(JSON.stringify({ id, type: 'complete' }));
    },
    messagesOf(id: string): Message[] {
      return frames.map((text) => JSON.parse(text) as Message).filter((message) => message.id === id);
    },
    close: () => socket.terminate(),
  };
}

const SEQ_AND_ACTION = 'subscription SeqAndAction { auditEvents { seq action } }';

describe('next frames', () => {
  it('gives each subscription of a connection exactly its own graphql-transport-ws frames', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const connection = await openRawConnection(env.api, owner.token);
    try {
      connection.subscribe('full-1', print(AuditEventStreamDocument));
      connection.subscribe('full-2', print(AuditEventStreamDocument));
      connection.subscribe('narrow', SEQ_AND_ACTION);
      connection.subscribe('settings-only', print(AuditEventStreamDocument), { filter: { actions: ['settings.*'] } });
      await eventually(
        () => '4 subscriptions',
        () => env.api.app.services.feed.subscriptionCount(owner.accountId) >= 4,
        { timeoutMs: 10_000, intervalMs: 10 },
      );

      await createApiKey(env.api, owner.token, { name: 'on the wire' });
      const updated = await env.api.call(
        UpdateAccountSettingsDocument,
        { input: { defaultKeyLifetimeDays: 9 } },
        { token: owner.token },
      );
      expect(updated.errors).toBeUndefined();
      await eventually(
        () => 'every next frame',
        () => connection.frames.filter((text) => text.includes('"type":"next"')).length >= 7,
        { timeoutMs: 10_000, intervalMs: 10 },
      );

      // Reading the log may itself be audited (audit.viewed): only the frames so far are compared.
      const frames = [...connection.frames];
      const page = await env.api.call(
        AuditEventsDocument,
        { first: 2, filter: { actions: ['api_key.created', 'settings.updated'] } },
        { token: owner.token },
      );
      expect(page.errors).toBeUndefined();
      const [settings, created] = page.data!.auditEvents!.edges.map((edge) => edge.node);
      expect([created!.action, settings!.action]).toEqual(['api_key.created', 'settings.updated']);

      for (const text of frames) {
        const message = JSON.parse(text) as Message;
        // The exact text of graphql-ws's own JSON.stringify of { id, type, payload }: no other key, no whitespace.
        expect(text).toBe(JSON.stringify(message));
        if (message.type === 'next') expect(Object.keys(message)).toEqual(['id', 'type', 'payload']);
      }
      const payloads = (id: string) =>
        frames
          .map((text) => JSON.parse(text) as Message)
          .filter((message) => message.id === id)
          .map((message) => [message.type, message.payload]);
      expect(payloads('full-1')).toEqual([
        ['next', { data: { auditEvents: created } }],
        ['next', { data: { auditEvents: settings } }],
      ]);
      expect(payloads('full-2')).toEqual(payloads('full-1'));
      expect(payloads('narrow')).toEqual([
        ['next', { data: { auditEvents: { seq: created!.seq, action: 'api_key.created' } } }],
        ['next', { data: { auditEvents: { seq: settings!.seq, action: 'settings.updated' } } }],
      ]);
      expect(payloads('settings-only')).toEqual([['next', { data: { auditEvents: settings } }]]);
    } finally {
      connection.close();
    }
  });

  it('delivers through a filter given in variables (enums, a DateTime, a list), every event the same way', async () => {
    const owner = await env.seedAccount({ plan: Plan.ENTERPRISE });
    const writer = await createApiKey(env.api, owner.token, { name: 'writer', scopes: ['KEYS_READ', 'KEYS_WRITE'] });
    const connection = await openRawConnection(env.api, owner.token);
    const filtered = `subscription Filtered($filter: AuditEventFilter) {
      auditEvents(filter: $filter) { seq action outcome occurredAt actor { type display scopes } }
    }`;
    try {
      connection.subscribe('by-key', filtered, {
        filter: {
          actions: ['api_key.*'],
          actorType: 'API_KEY',
          outcome: 'SUCCESS',
          occurredAfter: '2020-01-01T00:00:00.000Z',
        },
      });
      await eventually(
        () => '1 subscription',
        () => env.api.app.services.feed.subscriptionCount(owner.accountId) >= 1,
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      await createApiKey(env.api, owner.token, { name: 'by the owner' });
      for (const name of ['first by the key', 'second by the key', 'third by the key']) {
        await createApiKey(env.api, writer.secret, { name });
      }
      await env.api.call(
        UpdateAccountSettingsDocument,
        { input: { defaultKeyLifetimeDays: 9 } },
        { token: owner.token },
      );
      await eventually(
        () => 'three next frames',
        () => connection.messagesOf('by-key').length >= 3,
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      const messages = connection.messagesOf('by-key');
      expect(messages).toHaveLength(3);
      for (const message of messages) {
        expect(message).toMatchObject({
          type: 'next',
          payload: {
            data: {
              auditEvents: {
                action: 'api_key.created',
                outcome: 'SUCCESS',
                occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
                actor: { type: 'API_KEY', display: writer.apiKey.displayKey, scopes: ['KEYS_READ', 'KEYS_WRITE'] },
              },
            },
          },
        });
        expect(message.payload).not.toHaveProperty('errors');
      }
    } finally {
      connection.close();
    }
  });

  it('refuses an invalid document each time it is sent, and streams a valid one sent again', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const connection = await openRawConnection(env.api, owner.token);
    try {
      const invalid = 'subscription Bad { auditEvents { seq nosuchfield } }';
      connection.subscribe('bad-1', invalid);
      connection.subscribe('bad-2', invalid);
      connection.subscribe('good-1', SEQ_AND_ACTION);
      connection.subscribe('good-2', SEQ_AND_ACTION);
      await eventually(
        () => '2 subscriptions',
        () => env.api.app.services.feed.subscriptionCount(owner.accountId) >= 2,
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      await createApiKey(env.api, owner.token, { name: 'seen by the valid ones' });
      await eventually(
        () => 'the event on both valid subscriptions',
        () => connection.messagesOf('good-1').length === 1 && connection.messagesOf('good-2').length === 1,
        { timeoutMs: 10_000, intervalMs: 10 },
      );

      for (const id of ['bad-1', 'bad-2']) {
        const [message, ...rest] = connection.messagesOf(id);
        expect(rest).toEqual([]);
        expect(message).toMatchObject({
          type: 'error',
          payload: [
            { message: expect.stringMatching(/nosuchfield/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ],
        });
      }
      expect(connection.messagesOf('good-2')).toEqual([{ ...connection.messagesOf('good-1')[0], id: 'good-2' }]);
    } finally {
      connection.close();
    }
  });

  it('stops one subscription on the client’s complete while the connection’s others keep receiving', async () => {
    const owner = await env.seedAccount({ plan: Plan.PREMIUM });
    const connection = await openRawConnection(env.api, owner.token);
    try {
      connection.subscribe('stays', SEQ_AND_ACTION);
      connection.subscribe('leaves', SEQ_AND_ACTION);
      await eventually(
        () => '2 subscriptions',
        () => env.api.app.services.feed.subscriptionCount(owner.accountId) >= 2,
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      await createApiKey(env.api, owner.token, { name: 'seen by both' });
      await eventually(
        () => 'the first event on both',
        () => connection.messagesOf('leaves').length === 1 && connection.messagesOf('stays').length === 1,
        { timeoutMs: 10_000, intervalMs: 10 },
      );

      connection.complete('leaves');
      await eventually(
        () => 'one subscription left',
        () => env.api.app.services.feed.subscriptionCount(owner.accountId) === 1,
        { timeoutMs: 10_000, intervalMs: 10 },
      );
      await createApiKey(env.api, owner.token, { name: 'seen by one' });
      await eventually(
        () => 'the second event',
        () => connection.messagesOf('stays').length === 2,
        { timeoutMs: 10_000, intervalMs: 10 },
      );

      expect(connection.messagesOf('leaves').map((message) => message.type)).toEqual(['next']);
      expect(connection.messagesOf('stays').map((message) => message.type)).toEqual(['next', 'next']);
    } finally {
      connection.close();
    }
  });
});
