import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client";

/** Runs a form's action, keeping "busy" and the relay's sentence about what went wrong. */
export function useSubmit(action: (data: FormData) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    setProblem(null);
    try {
      await action(new FormData(form));
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : "Something went wrong. Please try again.");
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, onSubmit };
}

export const field = (data: FormData, name: string) => String(data.get(name) ?? "");
