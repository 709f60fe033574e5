import {
  type ApiKeyScope,
  CreateApiKeyDocument,
  type CreateApiKeyInput,
  type CreateApiKeyMutation,
  InviteMemberDocument,
  type Role,
} from '../../src/client/generated/graphql';
import type { CallOptions, Instance, SeededAccount, TestEnv } from './harness';
import { sleep } from './wait';

/** Every scope an API key can hold, as the GraphQL API names them. */
export const ALL_API_KEY_SCOPES: ApiKeyScope[] = [
  'KEYS_READ',
  'KEYS_WRITE',
  'AUDIT_READ',
  'AUDIT_EXPORT',
  'AUDIT_WRITE',
  'SETTINGS_READ',
  'SETTINGS_WRITE',
  'MEMBERS_READ',
  'MEMBERS_WRITE',
];

/** A created key as createApiKey answers it (the one-time `secret`, the `apiKey`), with the key's `id` at hand. */
export type CreatedApiKey = CreateApiKeyMutation['createApiKey'] & { id: string };

/** The input of `createApiKey`: a name, and any other CreateApiKeyInput field. */
export type NewApiKey = Pick<CreateApiKeyInput, 'name'> & Partial<CreateApiKeyInput>;

/**
 * Creates an API key through `instance` as the caller of `token` and expects no error. `purpose` defaults to
 * LONG_RUNNING_WORKFLOW and `scopes` to [KEYS_READ]; `options.headers` go along with the request.
 */
export async function createApiKey(
  instance: Instance,
  token: string,
  input: NewApiKey,
  options: Omit<CallOptions, 'token'> = {},
): Promise<CreatedApiKey> {
  const created = await instance.call(
    CreateApiKeyDocument,
    { input: { purpose: 'LONG_RUNNING_WORKFLOW', scopes: ['KEYS_READ'], ...input } },
    { ...options, token },
  );
  expect(created.errors).toBeUndefined();
  const payload = created.data!.createApiKey;
  return { ...payload, id: payload.apiKey.id };
}

/** How `createApiKeys` names and spaces its keys. */
export interface CreateApiKeysOptions {
  /**
   * The keys are named `<namePrefix> 0`, `<namePrefix> 1`, …
   * @default 'key'
   */
  namePrefix?: string;
  /** A pause before each creation, e.g. to keep every event's occurredAt distinct. */
  pauseMs?: number;
}

/** Creates `count` KEYS_READ keys one after another (one audit event each) through `createApiKey`. */
export async function createApiKeys(
  instance: Instance,
  token: string,
  count: number,
  { namePrefix = 'key', pauseMs }: CreateApiKeysOptions = {},
): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (pauseMs !== undefined) await sleep(pauseMs);
    await createApiKey(instance, token, { name: `${namePrefix} ${i}` });
  }
}

let emailCounter = 0;

/** An email address no other user of this test file has: `<label><n>.<timestamp>@example.test`. */
export function freshEmail(label: string): string {
  emailCounter += 1;
  return `${label}${emailCounter}.${Date.now()}@example.test`;
}

/** A user invited into an account, and a session token of theirs for that account. */
export interface InvitedMember {
  userId: string;
  email: string;
  token: string;
}

/** Invites a new user (a fresh email address) with `role` into `owner`'s account as that OWNER, expecting no error. */
export async function inviteMember(
  env: TestEnv,
  owner: Pick<SeededAccount, 'accountId' | 'token'>,
  role: Role,
): Promise<InvitedMember> {
  const invited = await env.api.call(
    InviteMemberDocument,
    { input: { email: freshEmail(role.toLowerCase()), role } },
    { token: owner.token },
  );
  expect(invited.errors).toBeUndefined();
  const { id: userId, email } = invited.data!.inviteMember.user;
  return { userId, email, token: await env.tokenFor(owner.accountId, userId) };
}
