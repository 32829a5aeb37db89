import type { Invite, StaffAccount, StaffRole } from "@letterbox/shared";
import { type FormEvent, useRef, useState } from "react";
import { LoadFailed } from "./Failed";
import { date, dateTime, plural } from "./format";
import { isSignedOut, type Problem, problemsFrom } from "./problems";
import { href } from "./route";
import { useSession } from "./session";
import { relay } from "./staff-api";
import { Loading, Page, Radios, Warning } from "./ui";
import { useForm } from "./use-form";
import { useLoad } from "./use-load";

const ROLE_WORDS: Record<StaffRole, string> = { admin: "Administrator", officer: "Officer" };

export function StaffList() {
  const loaded = useLoad(() => relay.staffAccounts(), "");
  const { staff: me, signedOut } = useSession();
  const [done, setDone] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setDone(null);
    setProblems([]);
    try {
      const confirmation = await action();
      await loaded.reload();
      setDone(confirmation);
    } catch (err) {
      if (isSignedOut(err)) signedOut();
      else setProblems(problemsFrom(err));
    } finally {
      setBusy(false);
    }
  };
  const accounts = loaded.data;

  return (
    <Page title="Staff" problems={problems} done={done}>
      <p>
        <a className="button" href={href({ page: "invite" })}>
          Invite a member of staff
        </a>
      </p>
      <table className="table table-cards">
        <caption className="visually-hidden">Staff accounts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a: StaffAccount) => (
            <tr key={a.id}>
              <th scope="row">
                {a.name}
                {a.id === me.id && " (you)"}
                <span className="meta block break-anywhere">{a.email}</span>
              </th>
              <td data-label="Role">{ROLE_WORDS[a.role]}</td>
              <td data-label="Status">
                {a.disabledAt ? (
                  <span className="tag tag-urgent">Disabled {date(a.disabledAt)}</span>
                ) : (
                  <span className="block">Active since {date(a.createdAt)}</span>
                )}
              </td>
              <td className="actions">
                {a.id !== me.id && (
                  <>
                    <button
                      type="button"
                      className="button-small button-secondary"
                      disabled={busy}
                      onClick={() =>
                        void act(async () => {
                          if (a.disabledAt) {
                            await relay.enable(a.id);
                            return `${a.name} can sign in again.`;
                          }
                          await relay.disable(a.id);
                          return `${a.name}’s account is disabled: they have been signed out and cannot sign in.`;
                        })
                      }
                    >
                      {a.disabledAt ? "Enable" : "Disable"}
                      <span className="visually-hidden"> {a.name}</span>
                    </button>
                    {!a.disabledAt && (
                      <button
                        type="button"
                        className="button-small button-secondary"
                        disabled={busy}
                        onClick={() =>
                          void act(async () => {
                            const ended = await relay.endSessions(a.id);
                            return ended === 0
                              ? `${a.name} was not signed in anywhere.`
                              : `${a.name} has been signed out on ${plural(ended, { one: "device", other: "devices" })}.`;
                          })
                        }
                      >
                        Sign out everywhere<span className="visually-hidden"> ({a.name})</span>
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

export function InvitePage() {
  const [role, setRole] = useState<StaffRole>("officer");
  const [invite, setInvite] = useState<Invite | null>(null);
  const [copied, setCopied] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const form = useForm({ role: { id: "role", label: "Role" } });
  const back = { href: href({ page: "staff" }), text: "Back to staff" };

  if (invite) {
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(invite.url);
        setCopied("Invitation link copied.");
      } catch {
        input.current?.select();
        setCopied("The link is selected: copy it with Ctrl+C (or Cmd+C on a Mac).");
      }
    };
    return (
      <Page
        title="Invite a member of staff"
        back={back}
        done={`Invitation for an ${ROLE_WORDS[invite.role].toLowerCase()} created.`}
      >
        <Warning>This link is shown only now. It works once, until {dateTime(invite.expiresAt)}.</Warning>
        <p>Send it to your colleague yourself, for example by email. They choose their own name, email address and password.</p>
        <div className="form-group">
          <label htmlFor="invite-link">Invitation link</label>
          <input
            id="invite-link"
            ref={input}
            readOnly
            value={invite.url}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
        <div className="button-group">
          <button type="button" className="button-secondary" onClick={() => void copy()}>
            Copy link
          </button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setInvite(null);
              setCopied("");
            }}
          >
            Invite someone else
          </button>
        </div>
        <p role="status" className="meta">
          {copied}
        </p>
      </Page>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void form.run(
      () => [],
      async () => setInvite(await relay.invite(role)),
    );
  };
  return (
    <Page title="Invite a member of staff" back={back} problems={form.problems}>
      <form onSubmit={submit} noValidate>
        <Radios
          id="role"
          name="role"
          legend="What will they do?"
          choices={[
            {
              value: "officer",
              label: "Officer",
              hint: "Adds residents, sets up tablets and family links, and watches the dashboard.",
            },
            {
              value: "admin",
              label: "Administrator",
              hint: "Everything an officer does, and manages staff, settings and the audit log.",
            },
          ]}
          value={role}
          onChange={setRole}
          error={form.errorFor("role")}
        />
        <button type="submit" disabled={form.busy}>
          Create invitation
        </button>
      </form>
    </Page>
  );
}
