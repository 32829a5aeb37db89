import type { IncomingMessage, Server, ServerResponse } from "node:http";
import net from "node:net";

/**
 * Longer than the idle timeout of the reverse proxies a council is likely to put in front
 * (nginx's upstream keepalive_timeout and AWS ALB both default to 60 s). The side that closes an
 * idle connection first must be the proxy: if the relay closed it first, a request the proxy sends
 * on it at that instant would meet a closed socket and the user would get a 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * Above the keep-alive timeout, as the usual advice for Node behind a load balancer says: a
 * headers timeout below it has, in some Node versions, cut keep-alive connections that were only
 * waiting for their next request.
 */
export const HEADERS_TIMEOUT_MS = 66_000;

export type GracefulStopOptions = {
  /**
   * How long a connection that has not sent a request yet may take to send one once the stop has
   * begun. A client writes its request as soon as it has connected, so this only needs to cover a
   * busy moment; a connection that stays silent longer (a browser's speculative preconnect) is
   * closed.
   */
  freshGraceMs?: number;
  /** Connections still open this long after the stop began (a stalled upload) are cut. */
  deadlineMs?: number;
};

export type StopResult = {
  /** From the call to stop() until the last connection closed. */
  ms: number;
  /** Connections still open at the deadline, and cut. */
  cut: number;
};

type Connection = { requests: number; open: Set<ServerResponse> };

/**
 * Stopping an HTTP/1.1 server without losing a request. Node's own `server.close()` does not
 * serve here: it destroys the keep-alive connections it thinks idle, including those whose next
 * request has arrived but not been parsed yet (their clients get a reset); it closes the listener
 * at once, which resets the connections the kernel has queued but Node not yet accepted; and it
 * leaves busy keep-alive connections free to go on sending requests. Instead, once stop() is called:
 *
 *  - every response from then on says `Connection: close`, so a busy keep-alive connection closes
 *    after its current response; the server takes the connections already waiting to be accepted,
 *    and stops listening;
 *  - a connection idle between requests is closed at once;
 *  - a connection that has sent nothing yet gets `freshGraceMs` to send its request;
 *  - requests already received finish; stop() resolves when the last connection has closed, or at
 *    `deadlineMs`, when what is left is cut.
 *
 * Every decision that a connection is idle waits until the event loop has read what had already
 * arrived, so a request that was on its way in is answered rather than reset. A client that sends
 * a request on an idle keep-alive connection at the very moment the relay closes it still loses
 * that race; HTTP lets a server close idle connections, and browsers resend in that case.
 *
 * Closing means a FIN (`socket.end()`) rather than a destroy: a destroy with bytes unread makes the
 * kernel send a reset, and may throw away the end of a response still in the send buffer.
 *
 * Call it on the server before it takes its first connection; it also sets the keep-alive timeouts.
 */
export function gracefulStop(server: Server, options: GracefulStopOptions = {}) {
  const freshGraceMs = options.freshGraceMs ?? 500;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const connections = new Map<net.Socket, Connection>();
  let stopping = false;
  let accepted = 0;
  let stopped: Promise<StopResult> | undefined;

  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;

  server.on("connection", (socket: net.Socket) => {
    accepted++;
    connections.set(socket, { requests: 0, open: new Set() });
    socket.once("close", () => connections.delete(socket));
    // Taken from the queue after the stop began: it gets the same grace to send its request.
    if (stopping) setTimeout(() => afterArrivedInput(() => endIfSilent(socket)), freshGraceMs).unref();
  });

  // Before the app's own listener, which may write its response at once.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(req.socket as net.Socket);
    if (!connection) return;
    connection.requests++;
    connection.open.add(res);
    if (stopping) res.setHeader("Connection", "close");
    res.once("close", () => {
      connection.open.delete(res);
      // A response that began before the stop (a live connection, say) went out keep-alive.
      if (stopping) afterArrivedInput(() => endIfIdle(req.socket as net.Socket));
    });
  });

  function endIfIdle(socket: net.Socket) {
    const connection = connections.get(socket);
    if (connection && connection.requests > 0 && connection.open.size === 0 && !socket.writableEnded) socket.end();
  }

  function endIfSilent(socket: net.Socket) {
    const connection = connections.get(socket);
    if (connection && connection.requests === 0 && !socket.writableEnded) socket.end();
  }

  function stop(): Promise<StopResult> {
    if (stopped) return stopped;
    stopping = true;
    const startedAt = performance.now();
    for (const { open } of connections.values()) {
      for (const res of open) if (!res.headersSent) res.setHeader("Connection", "close");
    }
    stopped = new Promise((resolve) => {
      let cut = 0;
      let listening = true;
      // net.Server's close, not http.Server's (see above). It calls back once every connection has
      // closed.
      const closeListener = () => {
        if (!listening) return;
        listening = false;
        net.Server.prototype.close.call(server, () => {
          clearTimeout(deadline);
          clearTimeout(grace);
          resolve({ ms: Math.round(performance.now() - startedAt), cut });
        });
      };
      const deadline = setTimeout(() => {
        closeListener();
        cut = connections.size;
        for (const socket of connections.keys()) socket.destroy();
      }, deadlineMs);
      const grace = setTimeout(
        () =>
          afterArrivedInput(() => {
            for (const socket of connections.keys()) endIfSilent(socket);
          }),
        freshGraceMs,
      );
      afterArrivedInput(() => {
        // Closing the listener resets the connections the kernel has completed but the relay has
        // not accepted yet, and Node accepts one per turn of the event loop: keep accepting until a
        // turn brings none (on a machine too busy to catch up, until the deadline). Idle
        // connections are closed only then, so that a client that loses the race with that close
        // and tries again is refused, not reset.
        let seen = accepted;
        const acceptBacklog = () => {
          if (accepted !== seen) {
            seen = accepted;
            setImmediate(acceptBacklog);
            return;
          }
          closeListener();
          afterArrivedInput(() => {
            for (const socket of connections.keys()) endIfIdle(socket);
          });
        };
        setImmediate(acceptBacklog);
      });
    });
    return stopped;
  }

  return {
    stop,
    get stopping() {
      return stopping;
    },
  };
}

/**
 * Runs `fn` once the event loop has been through its I/O phase twice: whatever had arrived on any
 * socket before now has been read, parsed, and has started its request.
 */
function afterArrivedInput(fn: () => void) {
  setImmediate(() => setImmediate(fn));
}
