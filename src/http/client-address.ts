/**
 * The client a request comes from, as a rate-limit key: the socket's peer address. On Lambda,
 * normalise-event.ts has already put each front door's trusted client address where
 * serverless-http turns it into `req.socket.remoteAddress` (docs/deploy-aws.md says which field
 * each door provides and why it can be trusted), so one function serves both entry points.
 *
 * Contract: `clientKey(address)` is pure and total. IPv4 addresses (also IPv4-mapped IPv6, as a
 * dual-stack socket reports them) are their own key. An IPv6 address is keyed by its /56
 * network: one subscriber commonly holds a /56 (or a /64 inside it), so keying single IPv6
 * addresses would hand every client 2^64 fresh budgets (express-rate-limit 8 chose /56 for the
 * same reason). Anything that is not an IP address (missing, or a front door that sent none)
 * shares the key `unknown`: one budget for all such callers, never a free pass.
 */
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export const IPV6_PREFIX_BITS = 56;
export const UNKNOWN_CLIENT = 'unknown';

export function clientKey(address: string | undefined): string {
  if (address === undefined) return UNKNOWN_CLIENT;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return UNKNOWN_CLIENT;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const network = v6.toByteArray().map((b, i) => (i < IPV6_PREFIX_BITS / 8 ? b : 0));
  return `${ipaddr.fromByteArray(network).toNormalizedString()}/${IPV6_PREFIX_BITS}`;
}
