import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";

/** An egress proxy (HTTPS_PROXY) and the hosts reached without it (NO_PROXY entries, lower case). */
export type ProxySettings = { url: string; noProxy: string[] };

/**
 * Whether `host` is reached directly: NO_PROXY is a list of host names, each matching itself and its
 * subdomains (a leading "." or "*." is allowed), optionally with a port; "*" means every host.
 */
export function bypassesProxy(host: string, port: number, noProxy: string[]): boolean {
  const target = host.toLowerCase().replace(/^\[|\]$/g, "");
  return noProxy.some((entry) => {
    if (entry === "*") return true;
    const [, name = "", entryPort] = /^(.*?)(?::(\d+))?$/.exec(entry) ?? [];
    if (entryPort !== undefined && Number(entryPort) !== port) return false;
    const domain = name.replace(/^\*?\./, "");
    return domain !== "" && (target === domain || target.endsWith(`.${domain}`));
  });
}

/**
 * An HTTPS agent whose connections go through an HTTP CONNECT tunnel: the proxy sees only the
 * push service's host and port, TLS runs end to end inside the tunnel, and sockets are kept alive
 * and reused like any agent's.
 *
 * web-push's own `proxy` option is not used: it makes a new agent for every push (a new tunnel and
 * TLS handshake each time) and, given a proxy, ignores the agent, so its certificates and
 * keep-alive cannot be set. This one is an `https.Agent`, which web-push takes as its `agent`.
 */
export class ProxyTunnelAgent extends https.Agent {
  private readonly proxy: URL;
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly settings: ProxySettings,
    options: https.AgentOptions & { connectTimeoutMs?: number } = {},
  ) {
    const { connectTimeoutMs = 10_000, ...agentOptions } = options;
    super(agentOptions);
    this.proxy = new URL(settings.url);
    this.connectTimeoutMs = connectTimeoutMs;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const host = options.host ?? options.hostname ?? "localhost";
    const port = Number(options.port ?? 443);
    if (bypassesProxy(host, port, this.settings.noProxy)) return super.createConnection(options, callback);

    let settled = false;
    const done = (err: Error | null, stream?: Duplex) => {
      if (settled) return;
      settled = true;
      callback?.(err, stream as Duplex);
    };
    const target = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
    const credentials =
      this.proxy.username !== ""
        ? Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString("base64")
        : undefined;
    const connect = (this.proxy.protocol === "https:" ? https : http).request({
      host: this.proxy.hostname,
      port: this.proxy.port || (this.proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: target,
      headers: { host: target, ...(credentials && { "proxy-authorization": `Basic ${credentials}` }) },
      agent: false,
      timeout: this.connectTimeoutMs,
    });
    connect.once("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        // A code, as a network failure has: the sender tries again, staff read "could not be reached".
        done(Object.assign(new Error(`The proxy answered ${res.statusCode} to CONNECT`), { code: `EPROXY_${res.statusCode}` }));
        return;
      }
      // The CONNECT's own time limit ends here; the push request sets its own on the TLS socket.
      socket.setTimeout(0);
      done(null, super.createConnection({ ...options, socket } as http.ClientRequestArgs));
    });
    connect.once("timeout", () =>
      connect.destroy(Object.assign(new Error("The proxy did not answer CONNECT in time"), { code: "ETIMEDOUT" })),
    );
    connect.once("error", (err) => done(err));
    connect.end();
    // Node's agent takes the socket from the callback when none is returned (see the
    // createConnection documentation); the type does not say so.
    return undefined as unknown as Duplex;
  }
}
