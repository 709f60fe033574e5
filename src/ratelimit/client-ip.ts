import { BlockList, isIP } from 'node:net';

/** Which proxies may set `X-Forwarded-For`: none, a number of hops, or a list of proxy networks. */
export type TrustProxy =
  { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'cidrs'; list: BlockList; text: string };

/**
 * Parses `TRUST_PROXY`: unset/`false` → trust nobody; a number → that many
 * proxy hops in front of the service; otherwise a comma-separated list of
 * addresses or CIDRs of trusted proxies (e.g. `10.0.0.0/8, fd00::/8`).
 * Throws with a message naming the bad entry.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'false') return { kind: 'none' };
  const text = value.trim();
  if (/^\d+$/.test(text)) return { kind: 'hops', hops: Number(text) };
  const list = new BlockList();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '');
    if (!family) throw new Error(`"${entry}" is not an IP address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, type);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 6 ? 128 : 32))
        throw new Error(`"${entry}" has an invalid prefix length`);
      list.addSubnet(address!, bits, type);
    }
  }
  return { kind: 'cidrs', list, text };
}

function normalize(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  return trimmed.startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/**
 * The client's address: the socket's peer, unless trusted proxies are
 * configured, in which case `X-Forwarded-For` is read from the right, past
 * the trusted hops. Without TRUST_PROXY a forged header changes nothing.
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustProxy,
): string {
  const peer = normalize(socketAddress ?? '');
  if (trust.kind === 'none' || forwardedFor === undefined) return peer;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map(normalize)
    .filter(Boolean);
  // Rightmost first: the socket peer, then each address the proxies appended.
  const hops = [peer, ...chain.reverse()];
  if (trust.kind === 'hops') {
    const candidate = hops[Math.min(trust.hops, hops.length - 1)]!;
    return isIP(candidate) ? candidate : peer;
  }
  for (let i = 0; i < hops.length; i++) {
    const address = hops[i]!;
    const family = isIP(address);
    if (!family) return i === 0 ? peer : hops[i - 1]!;
    if (!trust.list.check(address, family === 6 ? 'ipv6' : 'ipv4')) return address;
  }
  return hops[hops.length - 1]!;
}

/** IPv6 hextets of `address`, fully expanded. */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  // An embedded IPv4 tail counts as two hextets.
  const last = right.length > 0 ? right[right.length - 1]! : left[left.length - 1];
  const v4 = last && isIP(last) === 4 ? 1 : 0;
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length - v4).fill('0');
  return [...left, ...fill, ...right].map((part) => part.padStart(4, '0').toLowerCase());
}

/**
 * The rate-limit key of an address: IPv4 as is, IPv6 by its /64 network
 * (one host usually owns a whole /64, so per-address limits are trivial to dodge).
 */
export function rateLimitKeyOf(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}
