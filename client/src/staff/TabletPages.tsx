import { type Device, type Resident, SETUP_CODE, type SetupCode } from "@letterbox/shared";
import { useEffect, useRef, useState } from "react";
import { RelayError } from "../api/relay-error";
import { useNow } from "../kit/use-now";
import { LoadFailed } from "./Failed";
import {
  ago,
  batteryWords,
  dateTime,
  languageName,
  persistedWords,
  pushHealthWords,
  pushWords,
  storageWords,
  timeOfDay,
} from "./format";
import { isSignedOut, type Problem, problemsFrom } from "./problems";
import { QrCode } from "./QrCode";
import { href } from "./route";
import { navigate, useSession } from "./session";
import { relay } from "./staff-api";
import { watchForTablet } from "./tablet-watch";
import { Banner, Loading, Page, SummaryList, Warning } from "./ui";
import { useLoad } from "./use-load";

/** What a tablet last told the relay about itself. */
export function TabletHealth({ device: d, now }: { device: Device; now: Date }) {
  return (
    <SummaryList
      label="Tablet health"
      rows={[
        { key: "Last seen", value: d.online ? "Online now" : d.lastSeenAt ? ago(d.lastSeenAt, now) : "Not seen yet" },
        { key: "App version", value: d.appVersion ?? "Not reported yet" },
        { key: "Language", value: languageName(d.language) },
        { key: "Push", value: pushHealthWords(d, now) },
        { key: "Storage used", value: storageWords(d.storageUsedBytes, d.storageQuotaBytes) },
        { key: "Persistent storage", value: persistedWords(d.storagePersisted) },
        { key: "Battery", value: batteryWords(d.battery, d.appVersion !== null) },
      ]}
    />
  );
}

/** The tablet opens this address from the QR code; the set-up page reads the code from the fragment. */
export const tabletSetupUrl = (code: string) => `${location.origin}/tablet#setup=${code}`;

type Started = { resident: Resident; knownIds: Set<string>; code: SetupCode };

/**
 * "Set up a tablet": a QR code and the short code, then watching the relay until the tablet has
 * paired and said whether it can take push and keep its storage.
 */
export function SetUpTablet({ id }: { id: string }) {
  const [attempt, setAttempt] = useState(0);
  // Making a code is the point of opening this page; the ref keeps React's development double
  // effects from making two.
  const made = useRef(-1);
  const [started, setStarted] = useState<Started | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [tablet, setTablet] = useState<Device | null>(null);
  const [gaveUp, setGaveUp] = useState<Problem[]>([]);
  // Re-renders now and then, so the page notices when the code expires.
  useNow(15_000);
  const { signedOut } = useSession();

  useEffect(() => {
    if (made.current === attempt) return;
    made.current = attempt;
    setStarted(null);
    setFailure(null);
    (async () => {
      const [resident, devices] = await Promise.all([relay.resident(id), relay.devices(id)]);
      const code = await relay.setupCode(id);
      setStarted({ resident, knownIds: new Set(devices.map((d) => d.id)), code });
    })().catch((err) => (isSignedOut(err) ? signedOut() : setFailure(err)));
  }, [id, attempt, signedOut]);

  useEffect(() => {
    if (!started) return;
    return watchForTablet({
      knownIds: started.knownIds,
      list: () => relay.devices(id),
      onTablet: setTablet,
      isFatal: (err) => isSignedOut(err) || (err instanceof RelayError && err.code === "not_found"),
      onGiveUp: (err) => (isSignedOut(err) ? signedOut() : setGaveUp(problemsFrom(err))),
    });
  }, [started, id, signedOut]);

  if (failure) return <LoadFailed error={failure} retry={() => setAttempt((n) => n + 1)} />;
  if (!started) return <Loading />;
  const { resident, code } = started;
  const name = resident.preferredName;
  const expired = !tablet && Date.now() >= Date.parse(code.expiresAt);
  const back = { href: href({ page: "resident", id }), text: `Back to ${resident.fullName}` };

  if (tablet) {
    const reported = tablet.pushState !== null && tablet.storagePersisted !== null;
    return (
      <Page title="Tablet set up" caption={resident.fullName} back={back}>
        <Banner>
          {name}’s tablet is set up. From now on it opens straight to {name}’s messages.
        </Banner>
        <h2>What the tablet allowed</h2>
        {!reported && (
          <p role="status" className="waiting">
            Waiting for the tablet to report whether it can take push and keep its storage…
          </p>
        )}
        <SummaryList
          label="What the tablet allowed"
          rows={[
            { key: "Push", value: pushWords(tablet.pushState) },
            { key: "Persistent storage", value: persistedWords(tablet.storagePersisted) },
            { key: "App version", value: tablet.appVersion ?? "Not reported yet" },
          ]}
        />
        {reported && tablet.pushState !== "subscribed" && (
          <p>
            Without push the tablet still gets messages while the app is open; new messages can take a little longer to appear.
          </p>
        )}
        <p>
          <a className="button" href={back.href}>
            Done
          </a>
        </p>
      </Page>
    );
  }

  return (
    <Page title="Set up a tablet" caption={resident.fullName} back={back} problems={gaveUp}>
      <ol className="steps">
        <li>Charge the tablet and connect it to the internet.</li>
        <li>
          Scan this QR code with the tablet’s camera. Or open Chrome on the tablet, go to{" "}
          <span className="nowrap">{location.host}/tablet</span> and type the set-up code.
        </li>
        <li>Choose a staff PIN on the tablet. You need it to open the tablet’s hidden staff corner later.</li>
      </ol>
      {expired ? (
        <>
          <p>This code has expired. Codes work for {SETUP_CODE.ttlMinutes} minutes.</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Make a new code
          </button>
        </>
      ) : (
        <div className="setup-code">
          <QrCode
            text={tabletSetupUrl(code.code)}
            label={`QR code that opens the tablet set-up page with the code ${code.code}`}
          />
          <div>
            <p className="code-label" id="code-label">
              Set-up code
            </p>
            <output className="code" aria-labelledby="code-label">
              {code.code}
            </output>
            <p>It works once, until {timeOfDay(code.expiresAt)} today.</p>
          </div>
        </div>
      )}
      <p className="waiting" role="status">
        {expired ? "" : "Waiting for the tablet… This page changes when the tablet is set up."}
      </p>
    </Page>
  );
}

export function WipeTablet({ id, deviceId }: { id: string; deviceId: string }) {
  const loaded = useLoad(async () => {
    const [resident, devices] = await Promise.all([relay.resident(id), relay.devices(id)]);
    return { resident, device: devices.find((d) => d.id === deviceId && d.wipedAt === null) };
  }, `${id}/${deviceId}`);
  const now = useNow();
  const { signedOut } = useSession();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);

  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, device } = loaded.data;
  const back = { href: href({ page: "resident", id }), text: `Back to ${resident.fullName}` };
  if (!device) {
    return (
      <Page title="This tablet is already wiped" caption={resident.fullName} back={back}>
        <p>It is no longer paired with {resident.preferredName}.</p>
      </Page>
    );
  }
  const wipe = async () => {
    setBusy(true);
    setProblems([]);
    try {
      await relay.wipe(id, deviceId);
      navigate(
        { page: "resident", id },
        "The tablet has been wiped and unpaired. It clears itself the next time it connects, ready for the next resident.",
      );
    } catch (err) {
      if (isSignedOut(err)) signedOut();
      else setProblems(problemsFrom(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Wipe and unpair this tablet?" caption={resident.fullName} back={back} problems={problems}>
      <p>
        The tablet set up on {dateTime(device.pairedAt)}, last seen{" "}
        {device.online ? "just now" : device.lastSeenAt ? ago(device.lastSeenAt, now) : "never"}.
      </p>
      <Warning>
        The tablet stops receiving {resident.preferredName}’s messages at once. The next time it connects, it deletes every
        message and photo it holds and goes back to the set-up screen.
      </Warning>
      <p>
        Messages stay on the relay with {resident.preferredName}’s record. Use this when the loan ends or the tablet goes to the
        next resident.
      </p>
      <div className="button-group">
        <button type="button" className="button-warning" disabled={busy} onClick={() => void wipe()}>
          Wipe and unpair
        </button>
        <a href={back.href}>Cancel</a>
      </div>
    </Page>
  );
}
