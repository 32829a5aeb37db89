import { afterFirstPaint } from "../kit/after-first-paint";
import { tokenFromAddress } from "./address";
import { askFirst } from "./opening";

// Before anything else: the token leaves the address bar even if the page then fails.
const fromAddress = tokenFromAddress();
// Asked now, while the app downloads, rather than once it has started: the conversation is the page.
const early = fromAddress ? askFirst(fromAddress) : undefined;

// The page's own HTML is painted first; then the app (main.tsx) starts and takes over #root.
void afterFirstPaint()
  .then(() => import("./main"))
  .then(({ start }) => start(fromAddress, early));
