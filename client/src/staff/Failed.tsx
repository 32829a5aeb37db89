import { RelayError } from "../api/relay-error";
import { Page } from "./ui";

/** A page whose data could not be loaded: the relay's sentence, and a way on. */
export function LoadFailed({ error, retry }: { error: unknown; retry: () => void }) {
  if (error instanceof RelayError && error.code === "not_found") return <NotFound sentence={error.message} />;
  if (error instanceof RelayError && error.code === "forbidden") return <NeedsAdmin />;
  return (
    <Page title="Sorry, there is a problem">
      <p>{error instanceof RelayError ? error.message : "Something went wrong. Please try again."}</p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </Page>
  );
}

export function NotFound({ sentence }: { sentence?: string }) {
  return (
    <Page title="Page not found">
      <p>{sentence ?? "There is no page at this address. If you typed it, check it is correct."}</p>
      <p>
        <a href="#/">Go to the list of residents</a>
      </p>
    </Page>
  );
}

export function NeedsAdmin() {
  return (
    <Page title="Only administrators can see this page">
      <p>Ask an administrator if you need to manage staff, settings or the audit log.</p>
      <p>
        <a href="#/">Go to the list of residents</a>
      </p>
    </Page>
  );
}
