import { isIP } from 'node:net';

/**
 * Which proxies' X-Forwarded-For the control plane believes for the client address (fastify's
 * `trustProxy`): a hop count (`1` behind one load balancer) or a comma-separated list of addresses
 * and CIDRs. Trusting every proxy is not offered: any client could then choose its own address.
 */
export type TrustProxy = number | string[];

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Parses FJORD_TRUST_PROXY; answers an error message for a value that is neither form. */
export function parseTrustProxy(value: string): { trustProxy: TrustProxy } | { error: string } {
  if (/^\d+$/.test(value)) return { trustProxy: Number(value) };
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.filter((e) => !isAddressOrCidr(e));
  if (entries.length === 0 || bad.length > 0) {
    return { error: `must be a hop count or comma-separated addresses/CIDRs (not ${bad.join(', ') || 'empty'})` };
  }
  return { trustProxy: entries };
}
