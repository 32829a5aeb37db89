import type { FormEvent } from "react";
import { LoadFailed } from "./Failed";
import { namesMatch } from "./resident-form";
import { href } from "./route";
import { navigate } from "./session";
import { relay } from "./staff-api";
import { Loading, Page, TextInput, Warning } from "./ui";
import { field, useForm } from "./use-form";
import { useLoad } from "./use-load";

/** Erasure under UK GDPR: the officer types the resident's name, so nobody is erased by a slip. */
export function ErasePage({ id }: { id: string }) {
  const loaded = useLoad(() => relay.resident(id), id);
  const form = useForm();
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const resident = loaded.data;
  const back = { href: href({ page: "resident", id }), text: `Back to ${resident.fullName}` };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const typed = field(new FormData(event.currentTarget), "confirmName");
    void form.run(
      () =>
        namesMatch(typed, resident.fullName)
          ? []
          : [
              {
                text: typed.trim()
                  ? `The name you typed is not ${resident.fullName}. Type it exactly as shown to erase.`
                  : `Type ${resident.fullName} to confirm`,
                fieldId: "confirmName",
              },
            ],
      async () => {
        await relay.erase(id);
        navigate({ page: "dashboard" }, `${resident.fullName} has been erased, with everything held about them.`);
      },
    );
  };

  return (
    <Page title={`Erase ${resident.fullName}?`} caption="Data protection" back={back} problems={form.problems}>
      <Warning>This cannot be undone.</Warning>
      <p>Erasing deletes, for good:</p>
      <ul className="list-bullet">
        <li>{resident.fullName}’s record and settings</li>
        <li>every message, reply and photo</li>
        <li>the family links, which stop working at once</li>
        <li>the tablet connections: a tablet clears itself the next time it connects</li>
      </ul>
      <p>
        If {resident.preferredName} or their family asked for a copy,{" "}
        <a href={relay.exportUrl(id)} download>
          download everything we hold
        </a>{" "}
        first. The audit log keeps a record that the erasure happened, and by whom.
      </p>
      <form onSubmit={submit} noValidate>
        <TextInput
          id="confirmName"
          label={`Type ${resident.fullName} to confirm`}
          autoComplete="off"
          spellCheck={false}
          error={form.errorFor("confirmName")}
        />
        <div className="button-group">
          <button type="submit" className="button-warning" disabled={form.busy}>
            Erase this resident
          </button>
          <a href={back.href}>Cancel</a>
        </div>
      </form>
    </Page>
  );
}
