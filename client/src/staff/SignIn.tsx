import type { StaffMember } from "@letterbox/shared";
import { LIMITS } from "@letterbox/shared";
import { api, call } from "../api/client";
import { Problem } from "./Problem";
import { field, useSubmit } from "./use-form";

type Done = { onDone: (staff: StaffMember) => void };

export function SignIn({ onDone }: Done) {
  const { busy, problem, onSubmit } = useSubmit(async (data) => {
    const json = { email: field(data, "email"), password: field(data, "password") };
    onDone((await call<{ staff: StaffMember }>(api.staff.login.$post({ json }))).staff);
  });
  return (
    <main>
      <h1>Sign in to Letterbox</h1>
      <form onSubmit={onSubmit}>
        <label htmlFor="email">Email address</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <Problem id="sign-in-problem" text={problem} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

export function FirstAccount({ token, onDone }: Done & { token: string }) {
  const { busy, problem, onSubmit } = useSubmit(async (data) => {
    const json = { token, name: field(data, "name"), email: field(data, "email"), password: field(data, "password") };
    onDone((await call<{ staff: StaffMember }>(api.staff.setup.$post({ json }))).staff);
  });
  return (
    <main>
      <h1>Create the first staff account</h1>
      <p className="hint">This account can set up tablets and family links. You can add colleagues later.</p>
      <form onSubmit={onSubmit}>
        <label htmlFor="name">Your name</label>
        <input id="name" name="name" autoComplete="name" required />
        <label htmlFor="email">Email address</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <p className="hint" id="password-hint">
          At least {LIMITS.passwordMin} characters. A few unrelated words make a strong password.
        </p>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={LIMITS.passwordMin}
          aria-describedby="password-hint"
          required
        />
        <Problem id="setup-problem" text={problem} />
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
    </main>
  );
}
