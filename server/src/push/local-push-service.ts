/**
 * A push service on loopback for the relay's tests and the push benchmark: an HTTPS receiver with
 * a self-signed certificate, and "browsers" that subscribe with their own P-256 key pair and auth
 * secret and decrypt what arrives (RFC 8291 on RFC 8188 aes128gcm, written here with node:crypto
 * rather than the library the relay encrypts with, so that the two check each other).
 *
 * Not part of the running relay: nothing outside tests and benchmarks imports it.
 */
import { execFileSync } from "node:child_process";
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  type ECDH,
  type KeyObject,
  randomBytes,
  randomUUID,
  verify,
} from "node:crypto";
import fs from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { type PushPayload, type PushSubscriptionJson, pushPayloadSchema } from "@letterbox/shared";

let certificate: { key: string; cert: string } | undefined;

/** A certificate for 127.0.0.1 and localhost, made once per process with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-push-cert-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "2",
        "-subj",
        "/CN=letterbox-test-push-service",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    certificate = { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8") };
    return certificate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Decryption ----------------------------------------------------------------------------------

const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();

/** Decrypts an aes128gcm push body (one record) for the subscriber holding `ecdh` and `authSecret`. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, authSecret: Buffer): Buffer {
  if (body.length < 21) throw new Error("The body is too short for an aes128gcm header.");
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20] ?? 0;
  if (idLength !== 65) throw new Error(`The key id is ${idLength} bytes, not a 65-byte P-256 public key.`);
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error("More than one record: a push payload fits in one.");

  // RFC 8291 §3.4: the input keying material from the ECDH secret and the auth secret.
  const ecdhSecret = ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), senderPublic]);
  const ikm = hmac(hmac(authSecret, ecdhSecret), Buffer.concat([keyInfo, Buffer.of(1)]));
  // RFC 8188 §2.2-2.3: content key and nonce from the salt.
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0\x01")).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0\x01")).subarray(0, 12);

  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(-16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("The record does not end with the last-record delimiter.");
  return padded.subarray(0, end);
}

// VAPID ---------------------------------------------------------------------------------------

export type VapidClaims = { aud: string; exp: number; sub: string };

/** The public key object of a raw (uncompressed, base64url) P-256 point. */
export function p256PublicKey(raw: string): KeyObject {
  const point = Buffer.from(raw, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("Not an uncompressed P-256 point.");
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
    format: "jwk",
  });
}

/**
 * Reads `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292) and checks the JWT's ES256
 * signature against k. Throws if the header or the signature is wrong.
 */
export function verifyVapidAuthorization(authorization: string | undefined): {
  publicKey: string;
  header: Record<string, unknown>;
  claims: VapidClaims;
} {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), ?k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`Not a VAPID Authorization header: ${authorization}`);
  const [, jwt = "", publicKey = ""] = match;
  const [header = "", claims = "", signature = ""] = jwt.split(".");
  const valid = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key: p256PublicKey(publicKey), dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!valid) throw new Error("The VAPID JWT's signature does not verify with its key.");
  return {
    publicKey,
    header: JSON.parse(Buffer.from(header, "base64url").toString()),
    claims: JSON.parse(Buffer.from(claims, "base64url").toString()),
  };
}

// The receiver --------------------------------------------------------------------------------

/** A browser's side of a subscription: its key pair and auth secret, and what reached it. */
export class TestSubscriber {
  readonly ecdh = createECDH("prime256v1");
  readonly authSecret = randomBytes(16);

  constructor(readonly endpoint: string) {
    this.ecdh.generateKeys();
  }

  /** As `PushSubscription.toJSON()` gives it in a browser. */
  toJSON(): PushSubscriptionJson {
    return {
      endpoint: this.endpoint,
      expirationTime: null,
      keys: { p256dh: this.ecdh.getPublicKey().toString("base64url"), auth: this.authSecret.toString("base64url") },
    };
  }

  decrypt(body: Buffer): Buffer {
    return decryptAes128gcm(body, this.ecdh, this.authSecret);
  }
}

export type ReceivedPush = {
  /** The subscriber it was addressed to, if the endpoint is one of ours. */
  subscriber: TestSubscriber | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The decrypted payload; undefined when decryption failed (see `error`). */
  payload: PushPayload | undefined;
  error: string | undefined;
  /** performance.now() once the body was in and decrypted. */
  receivedAt: number;
};

/** The answer to one push; may be held back to play a slow push service. */
export type Responder = (
  push: ReceivedPush,
) => { status: number; headers?: Record<string, string> } | Promise<{ status: number; headers?: Record<string, string> }>;

const created: Responder = () => ({ status: 201 });

export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  /** TLS connections accepted: with keep-alive, far fewer than pushes. */
  connections = 0;
  private readonly subscribers = new Map<string, TestSubscriber>();
  private responder: Responder = created;
  private listeners = new Set<() => void>();

  private constructor(
    private readonly server: https.Server,
    readonly origin: string,
    /** What the relay's push sender should use: trusts this receiver's certificate, keeps sockets open. */
    readonly agent: https.Agent,
  ) {}

  static async start(options: { decrypt?: boolean } = {}): Promise<LocalPushService> {
    const { key, cert } = selfSignedCertificate();
    let service: LocalPushService | undefined;
    const server = https.createServer({ key, cert }, (req, res) => void service?.handle(req, res, options.decrypt ?? true));
    // Longer than any test or benchmark pause, so that a kept-alive socket is never closed under a request.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("The push receiver has no port.");
    service = new LocalPushService(server, `https://127.0.0.1:${address.port}`, new https.Agent({ ca: cert, keepAlive: true }));
    const counted = service;
    server.on("secureConnection", () => {
      counted.connections++;
    });
    return service;
  }

  /** A new browser subscription with an endpoint on this receiver. */
  subscribe(): TestSubscriber {
    const subscriber = new TestSubscriber(`${this.origin}/push/${randomUUID()}`);
    this.subscribers.set(new URL(subscriber.endpoint).pathname, subscriber);
    return subscriber;
  }

  /** For the relay's `allowEndpoint`: only this receiver. */
  readonly allows = (url: URL) => url.origin === this.origin;

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  to(subscriber: TestSubscriber): ReceivedPush[] {
    return this.received.filter((p) => p.subscriber === subscriber);
  }

  /** The first push (already received or still to come) that matches; fails after `timeoutMs`. */
  waitFor(match: (push: ReceivedPush) => boolean, timeoutMs = 5_000): Promise<ReceivedPush> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const push = this.received.find(match);
        if (!push) return;
        done();
        resolve(push);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No matching push within ${timeoutMs} ms (${this.received.length} received).`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, decrypt: boolean) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const subscriber = this.subscribers.get(new URL(req.url ?? "/", this.origin).pathname);
    let payload: PushPayload | undefined;
    let error: string | undefined;
    if (decrypt) {
      try {
        if (!subscriber) throw new Error(`No subscriber at ${req.url}`);
        payload = pushPayloadSchema.parse(JSON.parse(subscriber.decrypt(body).toString("utf8")));
      } catch (err) {
        error = String(err);
      }
    }
    const push: ReceivedPush = { subscriber, headers: req.headers, body, payload, error, receivedAt: performance.now() };
    this.received.push(push);
    for (const listener of [...this.listeners]) listener();
    try {
      const answer = await this.responder(push);
      res.writeHead(answer.status, { Location: `${this.origin}/message/${randomUUID()}`, ...answer.headers });
      res.end();
    } catch {
      res.destroy();
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
