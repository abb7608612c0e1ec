/**
 * The address an audit entry records for a request. The web server (scripts/web-server.ts) works it out
 * from the connection and puts it in CLIENT_ADDRESS_HEADER, replacing whatever a client sent there; the
 * app reads only that header. X-Forwarded-For alone cannot be trusted: a browser can send any value.
 */
export const CLIENT_ADDRESS_HEADER = "x-pgreplicate-client-address";

/**
 * `peer`: the connection's remote address. `trustedHops`: how many reverse proxies in front of the server
 * append to X-Forwarded-For (0: none, the peer is the client). Behind N such proxies the client is the
 * entry the farthest of them appended: the Nth from the right, counting the peer as the last one. Entries
 * further left came from the client and are ignored.
 */
export function clientAddressOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string | null {
  const chain = trustedHops > 0 ? [forwardedFor ?? []].flat().flatMap((h) => h.split(",")).map((s) => s.trim()).filter(Boolean) : [];
  if (peer) chain.push(peer);
  if (chain.length === 0) return null;
  const address = chain[Math.max(0, chain.length - 1 - trustedHops)]!;
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
