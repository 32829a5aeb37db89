/**
 * The push service and the tablets' browsers for push.bench.ts, in a process of its own so that
 * decrypting pushes does not delay the load generator's clock: a local HTTPS receiver with a
 * self-signed certificate that decrypts every push as it arrives.
 */
import { LocalPushService, selfSignedCertificate } from "../src/push/local-push-service";
import { type FromReceiver, hrNowMs, type ToReceiver } from "./push-protocol";

const send = (message: FromReceiver) => {
  if (!process.send) throw new Error("push-bench-receiver.ts is started by push.bench.ts, not on its own.");
  process.send(message);
};

async function main() {
  const receiver = await LocalPushService.start();
  // The receiver stamps pushes with performance.now(); the other processes need the shared clock.
  const offset = hrNowMs() - performance.now();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await receiver.close();
    process.exit(0);
  };

  process.on("message", (message: ToReceiver) => {
    if (message.type === "subscribe") {
      send({ type: "subscribed", subscriptions: Array.from({ length: message.count }, () => receiver.subscribe().toJSON()) });
    } else if (message.type === "take") {
      const pushes = receiver.received.map((p) => ({ payload: p.payload, error: p.error, at: p.receivedAt + offset }));
      // Handed over: the bodies are not needed once decrypted.
      receiver.received.length = 0;
      send({ type: "delivered", pushes, connections: receiver.connections });
    } else if (message.type === "stop") {
      void stop();
    }
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", origin: receiver.origin, cert: selfSignedCertificate().cert });
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!process.send) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  process.send({ type: "failed", error } satisfies FromReceiver, undefined, undefined, () => process.exit(1));
});
