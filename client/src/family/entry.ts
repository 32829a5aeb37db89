import { afterFirstPaint } from "../kit/after-first-paint";

// The page's own HTML is painted first; then the app (main.tsx) starts and takes over #root.
void afterFirstPaint().then(() => import("./main"));
