import type { CreatedFamilyLink, FamilyLink, Resident } from "@letterbox/shared";
import { LIMITS } from "@letterbox/shared";
import { type FormEvent, useRef, useState } from "react";
import { LoadFailed } from "./Failed";
import { date, dateTime } from "./format";
import { isSignedOut, type Problem, problemsFrom } from "./problems";
import { QrCode } from "./QrCode";
import { href } from "./route";
import { navigate, useSession } from "./session";
import { rememberLink } from "./shown-once";
import { relay } from "./staff-api";
import { Loading, Page, TextInput, Warning } from "./ui";
import { field, useForm } from "./use-form";
import { useLoad } from "./use-load";

const backTo = (r: Resident) => ({ href: href({ page: "resident", id: r.id }), text: `Back to ${r.fullName}` });

/** A link is shown once, when it is made: copy it, show it as a QR code, or print the letter now. */
function ShownOnce({ resident, link }: { resident: Resident; link: CreatedFamilyLink }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string>("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied("Link copied.");
    } catch {
      input.current?.select();
      setCopied("The link is selected: copy it with Ctrl+C (or Cmd+C on a Mac).");
    }
  };
  return (
    <>
      <Warning>
        This link is shown only now. Anyone who has it can send messages to {resident.preferredName} as {link.label}, so give it
        only to them. If it is lost, re-issue it.
      </Warning>
      <div className="form-group">
        <label htmlFor="family-link">Private link for {link.label}</label>
        <input
          id="family-link"
          ref={input}
          readOnly
          value={link.url}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
      </div>
      <div className="button-group">
        <button type="button" className="button-secondary" onClick={() => void copy()}>
          Copy link
        </button>
        <a className="button" href={href({ page: "welcomeLetter", id: resident.id, linkId: link.id })}>
          Print welcome letter
        </a>
      </div>
      <p role="status" className="meta">
        {copied}
      </p>
      <h2>QR code</h2>
      <p>{link.label} can scan this with their phone’s camera to open the link.</p>
      <QrCode text={link.url} label={`QR code of the private link for ${link.label}`} />
      <p>
        <a href={href({ page: "resident", id: resident.id })}>Back to {resident.fullName}</a>
      </p>
    </>
  );
}

/** The relay's field names, for tying its sentences to the inputs. */
const LINK_FIELDS = {
  label: { id: "label", label: "Who is this link for" },
  relationship: { id: "relationship", label: "The relationship" },
};

/** What the browser can check before the relay does; the relay also refuses a relationship that starts with “your”. */
function checkLinkFields(label: string, relationship: string): Problem[] {
  const problems: Problem[] = [];
  if (!label) problems.push({ text: "Enter who the link is for", fieldId: "label" });
  else if (label.length > LIMITS.labelMax)
    problems.push({ text: `Who the link is for must be ${LIMITS.labelMax} characters or fewer`, fieldId: "label" });
  if (relationship.length > LIMITS.relationshipMax)
    problems.push({ text: `The relationship must be ${LIMITS.relationshipMax} characters or fewer`, fieldId: "relationship" });
  return problems;
}

/** The name and, apart from it, how the resident knows the person: the tablet says "From Sarah, your daughter". */
function LinkFields({
  resident,
  link,
  errorFor,
}: {
  resident: Resident;
  link?: FamilyLink;
  errorFor: (id: string) => string | undefined;
}) {
  const name = resident.preferredName;
  // Staff write the relationship in the resident's language: the tablet puts "your" or "eich" before it.
  const example =
    resident.settings.language === "cy"
      ? "Write it in Welsh, as the tablet is: “merch” shows “Oddi wrth Sarah, eich merch”."
      : "For example “daughter” shows “From Sarah, your daughter”.";
  return (
    <>
      <TextInput
        id="label"
        label="Who is this link for?"
        hint={`Their name as ${name} knows them, for example “Sarah”. ${name} sees it with each of their messages.`}
        autoComplete="off"
        defaultValue={link?.label}
        error={errorFor("label")}
      />
      <TextInput
        id="relationship"
        label={`How does ${name} know them? (optional)`}
        hint={`A word or two that the tablet shows after the name. ${example} Leave it empty to show just the name.`}
        autoComplete="off"
        defaultValue={link?.relationship ?? ""}
        error={errorFor("relationship")}
      />
    </>
  );
}

export function NewFamilyLink({ id }: { id: string }) {
  const loaded = useLoad(() => relay.resident(id), id);
  const [created, setCreated] = useState<CreatedFamilyLink | null>(null);
  const form = useForm(LINK_FIELDS);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const resident = loaded.data;

  if (created) {
    return (
      <Page title={`Family link for ${created.label}`} caption={resident.fullName} back={backTo(resident)} done="Link created.">
        <ShownOnce resident={resident} link={created} />
      </Page>
    );
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = field(data, "label").trim();
    const relationship = field(data, "relationship").trim();
    void form.run(
      () => checkLinkFields(label, relationship),
      async () => {
        const link = await relay.createFamilyLink(id, { label, relationship });
        rememberLink(link);
        setCreated(link);
      },
    );
  };
  return (
    <Page title="Create a family link" caption={resident.fullName} back={backTo(resident)} problems={form.problems}>
      <p>
        A private link lets one family member or friend send messages and photos to {resident.preferredName}. They need no app and
        no account.
      </p>
      <form onSubmit={submit} noValidate>
        <LinkFields resident={resident} errorFor={form.errorFor} />
        <button type="submit" disabled={form.busy}>
          Create link
        </button>
      </form>
    </Page>
  );
}

/** Staff correct the name or the relationship; the link itself stays the same. */
export function EditFamilyLink({ id, linkId }: { id: string; linkId: string }) {
  const loaded = useLink(id, linkId);
  const form = useForm(LINK_FIELDS);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, link } = loaded.data;
  if (!link) return <NoSuchLink resident={resident} />;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = field(data, "label").trim();
    const relationship = field(data, "relationship").trim();
    // Only what changed, so the audit log says what was changed.
    const changes = {
      ...(label !== link.label ? { label } : {}),
      ...(relationship !== (link.relationship ?? "") ? { relationship } : {}),
    };
    void form.run(
      () => checkLinkFields(label, relationship),
      async () => {
        await relay.updateFamilyLink(id, linkId, changes);
        navigate({ page: "resident", id }, `${label}’s link has been changed.`);
      },
    );
  };
  return (
    <Page title={`Change ${link.label}’s link`} caption={resident.fullName} back={backTo(resident)} problems={form.problems}>
      <LinkFacts link={link} />
      <p>
        The link keeps working as it is. Messages they send from now on show the new name and relationship; messages already on{" "}
        {resident.preferredName}’s tablet stay as they were sent. If they chose their own name on their page, the tablet shows
        that name instead.
      </p>
      <form onSubmit={submit} noValidate>
        <LinkFields resident={resident} link={link} errorFor={form.errorFor} />
        <div className="button-group">
          <button type="submit" disabled={form.busy}>
            Save changes
          </button>
          <a href={backTo(resident).href}>Cancel</a>
        </div>
      </form>
    </Page>
  );
}

function useLink(id: string, linkId: string) {
  return useLoad(async () => {
    const [resident, links] = await Promise.all([relay.resident(id), relay.familyLinks(id)]);
    return { resident, link: links.find((l) => l.id === linkId) };
  }, `${id}/${linkId}`);
}

function useAction() {
  const { signedOut } = useSession();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblems([]);
    try {
      await action();
    } catch (err) {
      if (isSignedOut(err)) signedOut();
      else setProblems(problemsFrom(err));
    } finally {
      setBusy(false);
    }
  };
  return { problems, busy, run };
}

function NoSuchLink({ resident }: { resident: Resident }) {
  return (
    <Page title="Link not found" caption={resident.fullName} back={backTo(resident)}>
      <p>{resident.fullName} has no family link at this address.</p>
    </Page>
  );
}

export function RevokeFamilyLink({ id, linkId }: { id: string; linkId: string }) {
  const loaded = useLink(id, linkId);
  const action = useAction();
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, link } = loaded.data;
  if (!link) return <NoSuchLink resident={resident} />;
  if (link.revokedAt) {
    return (
      <Page title={`${link.label}’s link is already revoked`} caption={resident.fullName} back={backTo(resident)}>
        <p>It was revoked on {dateTime(link.revokedAt)}.</p>
      </Page>
    );
  }
  return (
    <Page title={`Revoke ${link.label}’s link?`} caption={resident.fullName} back={backTo(resident)} problems={action.problems}>
      <LinkFacts link={link} />
      <Warning>
        The link stops working at once. {link.label} will see a page saying it no longer works, and cannot send to{" "}
        {resident.preferredName} again unless you make them a new link.
      </Warning>
      <p>Messages they already sent stay on {resident.preferredName}’s tablet.</p>
      <div className="button-group">
        <button
          type="button"
          className="button-warning"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              await relay.revokeFamilyLink(id, linkId);
              navigate({ page: "resident", id }, `${link.label}’s link has been revoked. It no longer works.`);
            })
          }
        >
          Revoke link
        </button>
        <a href={backTo(resident).href}>Cancel</a>
      </div>
    </Page>
  );
}

export function ReissueFamilyLink({ id, linkId }: { id: string; linkId: string }) {
  const loaded = useLink(id, linkId);
  const action = useAction();
  const [created, setCreated] = useState<CreatedFamilyLink | null>(null);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, link } = loaded.data;
  if (created) {
    return (
      <Page title={`New link for ${created.label}`} caption={resident.fullName} back={backTo(resident)} done="New link made.">
        <ShownOnce resident={resident} link={created} />
      </Page>
    );
  }
  if (!link) return <NoSuchLink resident={resident} />;
  return (
    <Page title={`Re-issue ${link.label}’s link?`} caption={resident.fullName} back={backTo(resident)} problems={action.problems}>
      <LinkFacts link={link} />
      <p>
        {link.revokedAt
          ? `This makes a new link for ${link.label}.`
          : `The old link stops working at once, and a new one is made for ${link.label}. Use this when a phone is lost, a link was passed on, or the letter needs printing again.`}
      </p>
      <div className="button-group">
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              const made = await relay.reissueFamilyLink(id, linkId);
              rememberLink(made);
              setCreated(made);
            })
          }
        >
          Re-issue link
        </button>
        <a href={backTo(resident).href}>Cancel</a>
      </div>
    </Page>
  );
}

function LinkFacts({ link }: { link: FamilyLink }) {
  return (
    <p className="meta">
      Made on {date(link.createdAt)}; {link.lastUsedAt ? `last used ${dateTime(link.lastUsedAt)}` : "not used yet"}.
    </p>
  );
}
