import type { ErrorCode } from "@letterbox/shared";
import { useState } from "react";
import { type Fields, isSignedOut, type Problem, problemFor, problemsFrom } from "./problems";
import { useSession } from "./session";

/**
 * A form's state: busy while the relay works, and the problems to show in the error summary and
 * beside each field. What the browser can check is checked first; then the relay's sentence.
 */
export function useForm(fields: Fields = {}, codeFields: Partial<Record<ErrorCode, string>> = {}) {
  const session = useSession();
  return useFormWith(session.signedOut, fields, codeFields);
}

/** useForm for the pages shown before anyone is signed in. */
export function useFormWith(signedOut: () => void, fields: Fields = {}, codeFields: Partial<Record<ErrorCode, string>> = {}) {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const run = async (check: () => Problem[], action: () => Promise<void>) => {
    const found = check();
    setProblems(found);
    if (found.length > 0) return;
    setBusy(true);
    try {
      await action();
    } catch (err) {
      if (isSignedOut(err)) signedOut();
      else setProblems(problemsFrom(err, fields, codeFields));
    } finally {
      setBusy(false);
    }
  };
  return { problems, busy, run, errorFor: (id: string) => problemFor(problems, id) };
}

/** Reads a named field of a submitted form. */
export const field = (data: FormData, name: string) => String(data.get(name) ?? "");
