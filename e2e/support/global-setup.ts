import fs from "node:fs";
import { startRelay } from "./relay";

/**
 * One relay for the journey that starts from a fresh install (its set-up link is unused). Other
 * specs use the `seeded` fixture, which starts a relay of their own.
 */
export default async function globalSetup() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(chromium)) {
    throw new Error(
      `Chromium is needed for the end-to-end tests and is not at ${chromium}. Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  const relay = await startRelay(Number(process.env.LETTERBOX_E2E_PORT ?? 8199));
  process.env.LETTERBOX_E2E_URL = relay.url;
  process.env.LETTERBOX_SETUP_LINK = relay.setupLink;
  return relay.stop;
}
