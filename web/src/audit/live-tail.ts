import { stringifyDocument } from '@urql/core';
import { type Client, createClient } from 'graphql-ws';
import { type AuditEventFilter, type AuditRowFragment, AuditTailDocument } from '../gql/graphql';

/** Where the live feed stands, for the connection indicator. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveTailOptions {
  filter: AuditEventFilter;
  /** The cursor of the newest event shown, read at every (re)subscription so the replay resumes right after it. */
  resumeAfter: () => string | null;
  onEvent: (event: AuditRowFragment) => void;
  onState: (state: LiveState) => void;
  /** The feed stopped for good (no entitlement, signed out); it does not retry. */
  onFatal: (message: string) => void;
}

const QUERY = stringifyDocument(AuditTailDocument);
/** Close codes after which retrying cannot help: unauthorized, forbidden, subscriber already exists. */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4409]);

function socketUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
}

/**
 * Follows `auditEvents` over graphql-ws on the page's own host, authenticated by the session cookie. When the
 * socket drops, it subscribes again with `after` = the newest event shown: the server replays what was missed,
 * so nothing is lost or shown twice (the page also drops any seq it already has). Returns a stop function.
 */
export function startLiveTail(options: LiveTailOptions): () => void {
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;

  const client: Client = createClient({
    url: socketUrl(),
    lazy: true,
    retryAttempts: 0,
    keepAlive: 10_000,
    on: {
      connected: () => {
        attempt = 0;
        if (!stopped) options.onState('live');
      },
    },
  });

  const retry = () => {
    if (stopped) return;
    attempt += 1;
    options.onState('reconnecting');
    timer = setTimeout(subscribe, Math.min(250 * 2 ** attempt, 8000));
  };

  const subscribe = () => {
    if (stopped) return;
    options.onState(attempt === 0 ? 'connecting' : 'reconnecting');
    unsubscribe = client.subscribe<{ auditEvents: AuditRowFragment }>(
      { query: QUERY, variables: { after: options.resumeAfter(), filter: options.filter } },
      {
        next: (result) => {
          if (result.data) options.onEvent(result.data.auditEvents);
        },
        error: (error) => {
          if (stopped) return;
          if (Array.isArray(error)) {
            stopped = true;
            options.onFatal(error.map((item: { message: string }) => item.message).join(' '));
          } else if (error instanceof CloseEvent && FATAL_CLOSE_CODES.has(error.code)) {
            stopped = true;
            options.onFatal(error.reason || 'The live feed was refused.');
          } else {
            retry();
          }
        },
        complete: retry,
      },
    );
  };

  subscribe();
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe?.();
    void client.dispose();
  };
}
