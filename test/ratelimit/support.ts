/** What the rate-limit tests share: client addresses, bounded concurrency, the cheapest request, its headers. */

let addressCounter = 0;
/** A client address no other test of this file uses. */
export function freshIp(): string {
  addressCounter += 1;
  return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight; results in index order. */
export async function withConcurrency<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** `{ __typename }` as a plain POST; the cheapest request that spends a point. */
export async function typename(baseUrl: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
}

/** The `r` (remaining) of a `RateLimit` header. */
export function remainingOf(header: string | null): number {
  const match = /^"ip";r=(\d+);t=(\d+)$/.exec(header ?? '');
  if (!match) throw new Error(`not a RateLimit header: ${header}`);
  return Number(match[1]);
}

/** How many of `statuses` there are of each. */
export function countStatuses(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
