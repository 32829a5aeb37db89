import { createECDH } from "node:crypto";
import type { Clock } from "../clock";
import type { Logger } from "../log";
import type { PushStore, VapidKeyPair } from "./push-store";

/** A fresh P-256 key pair in the form VAPID and `applicationServerKey` use (base64url, raw). */
export function generateVapidKeys(): VapidKeyPair {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const publicKey = ecdh.getPublicKey();
  // The private scalar may come out shorter when it begins with zero bytes; VAPID wants all 32.
  const privateKey = Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()]).subarray(-32);
  return { publicKey: publicKey.toString("base64url"), privateKey: privateKey.toString("base64url") };
}

/**
 * The relay's VAPID key pair: the stored one, or a new one at first start. Never made again once
 * stored, since every subscription was made with its public key and would stop working.
 */
export async function loadOrCreateVapidKeys(deps: { store: PushStore; clock: Clock; log: Logger }): Promise<VapidKeyPair> {
  const stored = await deps.store.vapidKeys();
  if (stored) return stored;
  const fresh = generateVapidKeys();
  const kept = await deps.store.keepVapidKeys(fresh, deps.clock.now().toISOString());
  if (kept.publicKey === fresh.publicKey) deps.log("push.vapid_keys_created", { publicKey: kept.publicKey });
  return kept;
}
