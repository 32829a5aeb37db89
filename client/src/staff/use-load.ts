import { useCallback, useEffect, useRef, useState } from "react";
import { isSignedOut } from "./problems";
import { useSession } from "./session";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "failed"; error: unknown; retry: () => void }
  | { state: "ready"; data: T; reload: () => Promise<void> };

/**
 * Fetches what a page shows, again whenever `key` changes (the ids it shows); a session that has
 * ended sends the officer to sign in.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const { signedOut } = useSession();
  const [result, setResult] = useState<{ data: T } | { error: unknown } | null>(null);
  const latest = useRef(load);
  latest.current = load;
  const run = useCallback(async () => {
    try {
      const data = await latest.current();
      setResult({ data });
    } catch (error) {
      if (isSignedOut(error)) signedOut();
      else setResult({ error });
    }
  }, [signedOut]);
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (shown.current !== key) setResult(null);
    shown.current = key;
    void run();
  }, [run, key]);
  if (result === null) return { state: "loading" };
  if ("error" in result)
    return {
      state: "failed",
      error: result.error,
      retry: () => {
        setResult(null);
        void run();
      },
    };
  return { state: "ready", data: result.data, reload: run };
}
