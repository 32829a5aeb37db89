import { LoadFailed } from "./Failed";
import { date } from "./format";
import { QrCode } from "./QrCode";
import { href } from "./route";
import { useSession } from "./session";
import { shownLink } from "./shown-once";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";
import { useLoad } from "./use-load";

/**
 * A one-page letter for the family member: what Letterbox is, their link as a QR code and as
 * text, how to send a photo, and who to contact. The print stylesheet leaves only the letter.
 */
export function WelcomeLetter({ id, linkId }: { id: string; linkId: string }) {
  const loaded = useLoad(async () => ({ resident: await relay.resident(id), council: await relay.council() }), id);
  const { staff } = useSession();
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, council } = loaded.data;
  const link = shownLink(linkId);
  const back = { href: href({ page: "resident", id }), text: `Back to ${resident.fullName}` };
  const name = resident.preferredName;

  if (!link) {
    return (
      <Page title="The link is no longer shown" caption={resident.fullName} back={back}>
        <p>
          For safety a family link is shown only when it is made, so the letter cannot be printed now. Re-issue the link to print
          a letter with a new one: the old link stops working.
        </p>
        <p>
          <a className="button" href={href({ page: "reissueFamilyLink", id, linkId })}>
            Re-issue the link
          </a>
        </p>
      </Page>
    );
  }

  const quiet = resident.settings.quietHours;
  return (
    <div className="letter-page">
      <div className="no-print">
        <a className="back-link" href={back.href}>
          {back.text}
        </a>
        <p>This is the letter for {link.label}. Print it and give it to them, or post it.</p>
        <button type="button" onClick={() => window.print()}>
          Print this letter
        </button>
      </div>
      <article className="letter" aria-label={`Welcome letter for ${link.label}`}>
        <p className="letter-from">
          {council}
          <br />
          Letterbox
        </p>
        <p className="letter-date">{date(new Date().toISOString())}</p>
        <p>For {link.label}</p>
        <Page title={`Send messages and photos to ${name}`}>
          <h2>What Letterbox is</h2>
          <p>
            {name} has a Letterbox tablet from {council}. It shows messages and photos from family and friends in large, clear
            type. {name} does not need to do anything: new messages appear on their own, and {name} can reply with one tap.
          </p>
          <h2>Your private link</h2>
          <div className="letter-link">
            <QrCode text={link.url} label={`QR code of your private link to ${name}`} />
            <div>
              <p>Scan the code with your phone’s camera, or type this address into your web browser:</p>
              <p className="link-text">{link.url}</p>
              <p>
                You do not need an app, an account or a password. The link is yours alone: anyone who has it can send messages to{" "}
                {name} as “{link.label}”, so please keep this letter safe.
              </p>
            </div>
          </div>
          <h2>How to send a message or a photo</h2>
          <ol>
            <li>Open your link.</li>
            <li>Write your message in the box.</li>
            <li>
              To send photos, choose “Photos” and pick up to 10 from your phone. You can add a caption to each one: {name} may
              like to know where it was taken.
            </li>
            <li>
              Choose “Send”. Under each message you will see when it is on {name}’s tablet, and when {name} has seen it.
            </li>
          </ol>
          {quiet && (
            <p>
              The tablet is quiet from {quiet.start} to {quiet.end}: messages sent then arrive without a sound, and {name} sees
              them after the quiet hours.
            </p>
          )}
          <h2>Who to contact</h2>
          <p>
            If the link stops working, you lose this letter, or you are worried about {name}’s tablet, contact {staff.name} at{" "}
            {council}: {staff.email}.
          </p>
          <p className="letter-small">
            Messages and photos are kept for {resident.retentionDays} days and then deleted. Council staff see when messages are
            sent and seen, not what they say.
          </p>
        </Page>
      </article>
    </div>
  );
}
