import { LIMITS, type StaffMember } from "@letterbox/shared";
import type { FormEvent, ReactNode } from "react";
import type { Problem } from "./problems";
import { relay } from "./staff-api";
import { Page, TextInput } from "./ui";
import { field, useFormWith } from "./use-form";

type Done = { onDone: (staff: StaffMember) => void };
const nothing = () => {};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function checkEmail(email: string): Problem[] {
  if (!email.trim()) return [{ text: "Enter your email address", fieldId: "email" }];
  if (!EMAIL.test(email.trim()))
    return [{ text: "Enter an email address in the correct format, like name@example.com", fieldId: "email" }];
  return [];
}

export function SignIn({ onDone }: Done) {
  const form = useFormWith(
    nothing,
    { email: { id: "email", label: "Email address" }, password: { id: "password", label: "Password" } },
    // A sign-in failure does not say which of the two was wrong; the summary points at the first.
    { wrong_password: "email" },
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = field(data, "email");
    const password = field(data, "password");
    void form.run(
      () => [...checkEmail(email), ...(password ? [] : [{ text: "Enter your password", fieldId: "password" }])],
      async () => onDone(await relay.login(email.trim(), password)),
    );
  };
  return (
    <Page title="Sign in to Letterbox" problems={form.problems}>
      <form onSubmit={submit} noValidate>
        <TextInput
          id="email"
          label="Email address"
          type="email"
          autoComplete="username"
          spellCheck={false}
          error={form.errorFor("email")}
        />
        <TextInput
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          error={form.errorFor("password")}
        />
        <button type="submit" disabled={form.busy}>
          Sign in
        </button>
      </form>
      <p>If you have forgotten your password, ask an administrator to invite you again.</p>
    </Page>
  );
}

type AccountProps = Done & {
  title: string;
  intro: ReactNode;
  button: string;
  create: (account: { name: string; email: string; password: string }) => Promise<StaffMember>;
};

/** Making an account, from the one-time set-up link or from an invitation. */
function NewAccount({ onDone, title, intro, button, create }: AccountProps) {
  const form = useFormWith(
    nothing,
    {
      name: { id: "name", label: "Your name" },
      email: { id: "email", label: "Email address" },
      password: { id: "password", label: "Password" },
    },
    { password_too_common: "password", email_taken: "email" },
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const account = { name: field(data, "name").trim(), email: field(data, "email").trim(), password: field(data, "password") };
    void form.run(
      () => [
        ...(account.name ? [] : [{ text: "Enter your name", fieldId: "name" }]),
        ...checkEmail(account.email),
        ...(account.password.length < LIMITS.passwordMin
          ? [{ text: `Password must be at least ${LIMITS.passwordMin} characters`, fieldId: "password" }]
          : []),
      ],
      async () => onDone(await create(account)),
    );
  };
  return (
    <Page title={title} problems={form.problems}>
      {intro}
      <form onSubmit={submit} noValidate>
        <TextInput id="name" label="Your name" autoComplete="name" error={form.errorFor("name")} />
        <TextInput
          id="email"
          label="Email address"
          type="email"
          autoComplete="username"
          spellCheck={false}
          hint="You will sign in with this."
          error={form.errorFor("email")}
        />
        <TextInput
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={
            <>
              At least {LIMITS.passwordMin} characters. Three or four unrelated words make a strong password that is easy to
              remember, for example “kettle harbour violet”. Passwords that many people use are refused.
            </>
          }
          error={form.errorFor("password")}
        />
        <button type="submit" disabled={form.busy}>
          {button}
        </button>
      </form>
    </Page>
  );
}

export function FirstAccount({ token, onDone }: Done & { token: string }) {
  return (
    <NewAccount
      onDone={onDone}
      title="Create the first staff account"
      intro={
        <p>
          This account is an administrator: it can add residents, set up tablets and family links, and invite colleagues. The
          set-up link works once.
        </p>
      }
      button="Create account"
      create={(account) => relay.createFirstAccount({ token, ...account })}
    />
  );
}

export function AcceptInvite({ token, onDone }: Done & { token: string }) {
  return (
    <NewAccount
      onDone={onDone}
      title="Create your staff account"
      intro={<p>You have been invited to the Letterbox staff console. The invitation works once.</p>}
      button="Create account"
      create={(account) => relay.acceptInvite({ token, ...account })}
    />
  );
}
