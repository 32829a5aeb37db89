import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import proxyAddr from "proxy-addr";

type Trust = (address: string, hop: number) => boolean;

const TRUST_KEY = "letterbox.trustedProxies";

/**
 * Lets clientAddress() believe the forwarded client address on requests that come from one of the
 * council's reverse proxies (TRUST_PROXY: addresses and CIDR ranges). Without it, or with an empty
 * list, only the TCP peer counts.
 */
export function trustedProxies(list: readonly string[]): MiddlewareHandler {
  const trust: Trust = list.length > 0 ? proxyAddr.compile([...list]) : () => false;
  return async (c, next) => {
    c.set(TRUST_KEY, trust);
    await next();
  };
}

/**
 * The client's address, for rate limits and the audit log. It is the TCP peer, unless that peer is
 * a trusted proxy: then it is the right-most address in X-Forwarded-For that is not itself a
 * trusted proxy. Each proxy appends the address it got the request from, so everything left of
 * that is whatever the client chose to send, and is never believed.
 *
 * The RFC 7239 `Forwarded` header is not read: the proxies councils use (nginx, load balancers)
 * append X-Forwarded-For by default and pass a client's own `Forwarded` header through untouched,
 * so believing it would let a client pick its own address.
 *
 * Falls back to one shared key when run outside a server (tests).
 */
export function clientAddress(c: Context): string {
  const peer = peerAddress(c);
  const trust = c.get(TRUST_KEY) as Trust | undefined;
  if (!trust || peer === "unknown" || !trust(peer, 0)) return peer;
  const forwarded = (c.req.header("X-Forwarded-For") ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "")
    .reverse();
  let address = peer;
  for (const [i, hop] of forwarded.entries()) {
    address = hop;
    if (!trust(hop, i + 1)) break;
  }
  return address;
}

function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function bearerToken(c: Context): string | undefined {
  const header = c.req.header("Authorization");
  const match = header?.match(/^Bearer ([A-Za-z0-9_-]{1,200})$/);
  return match?.[1];
}

/** Why a TRUST_PROXY entry is refused, or undefined when it is a usable address or CIDR range. */
export function trustProxyEntryError(entry: string): string | undefined {
  if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry)) return `"${entry}" is not an IP address or CIDR range`;
  try {
    proxyAddr.compile(entry);
    return undefined;
  } catch {
    return `"${entry}" is not an IP address or CIDR range`;
  }
}
