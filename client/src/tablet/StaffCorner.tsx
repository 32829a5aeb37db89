import { useLiveQuery } from "dexie-react-hooks";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { db } from "../db/db";
import type { TabletText } from "../i18n/tablet-en-GB";
import { sinceInWords } from "../kit/when";
import { readDeviceStatus } from "./device-status";
import { wakeLock } from "./kiosk";
import { wipeTablet } from "./pairing";
import { photoBytes } from "./photo-store";
import { PIN_TRIES, PIN_WAIT_MS, pinMatches } from "./staff-pin";
import type { Connection } from "./sync-loop";
import { appVersion } from "./version";
import { useWords } from "./words";

/** The corner closes itself if staff walk away from it. */
const IDLE_CLOSE_MS = 2 * 60_000;

let wrongTries = 0;
let waitUntil = 0;

const size = (bytes: number | undefined) =>
  bytes === undefined
    ? "?"
    : bytes >= 1024 ** 3
      ? `${(bytes / 1024 ** 3).toFixed(1)} GB`
      : bytes >= 1024 ** 2
        ? `${(bytes / 1024 ** 2).toFixed(1)} MB`
        : `${Math.round(bytes / 1024)} KB`;

/** The hidden staff corner: a PIN, then the tablet's state and "Set up again". Never seen by the resident. */
export default function StaffCorner({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const t = useWords().staff;
  const [stage, setStage] = useState<"pin" | "status" | "confirm">("pin");
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let timer = setTimeout(onClose, IDLE_CLOSE_MS);
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(onClose, IDLE_CLOSE_MS);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    document.addEventListener("pointerdown", reset);
    document.addEventListener("keydown", onKey);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("pointerdown", reset);
      document.removeEventListener("keydown", onKey);
    };
  }, [onClose]);

  return (
    <div className="staff-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={dialog}>
      <h2 id={titleId}>{stage === "confirm" ? t.confirmTitle : stage === "status" ? t.statusTitle : t.title}</h2>
      {stage === "pin" && <PinForm onOpen={() => setStage("status")} onClose={onClose} />}
      {stage === "status" && <Status connection={connection} onSetUpAgain={() => setStage("confirm")} onClose={onClose} />}
      {stage === "confirm" && <Confirm onCancel={() => setStage("status")} onDone={onClose} />}
    </div>
  );
}

function PinForm({ onOpen, onClose }: { onOpen: () => void; onClose: () => void }) {
  const t = useWords().staff;
  const [pin, setPin] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (Date.now() < waitUntil) {
      setProblem(t.waitPin);
      return;
    }
    const state = await db.state.get("tablet");
    if (await pinMatches(pin, state?.pin)) {
      wrongTries = 0;
      onOpen();
      return;
    }
    wrongTries++;
    if (wrongTries >= PIN_TRIES) {
      wrongTries = 0;
      waitUntil = Date.now() + PIN_WAIT_MS;
    }
    setPin("");
    setProblem(Date.now() < waitUntil ? t.waitPin : t.wrongPin);
  }

  return (
    <form className="staff-form" onSubmit={submit}>
      <label htmlFor="staff-pin">{t.pinLabel}</label>
      <input
        id="staff-pin"
        ref={input}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
        aria-describedby={problem ? "staff-pin-problem" : undefined}
      />
      {problem && (
        <p id="staff-pin-problem" role="alert" className="staff-problem">
          {problem}
        </p>
      )}
      <div className="staff-buttons">
        <button type="submit">{t.open}</button>
        <button type="button" className="secondary" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </form>
  );
}

type StorageFacts = { usage?: number; quota?: number; persisted?: boolean; push: string; battery: string | null };

async function readStorageFacts(t: TabletText["staff"]): Promise<StorageFacts> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  const persisted = await navigator.storage?.persisted?.().catch(() => undefined);
  // The same state the tablet reports to the relay, so staff here and in the console read alike.
  const { pushState, battery } = await readDeviceStatus(db);
  return {
    usage: estimate?.usage,
    quota: estimate?.quota,
    persisted,
    push: t.pushStates[pushState],
    battery: battery ? t.batteryValue(Math.round(battery.level * 100), battery.charging) : null,
  };
}

function Status({
  connection,
  onSetUpAgain,
  onClose,
}: {
  connection: Connection;
  onSetUpAgain: () => void;
  onClose: () => void;
}) {
  const words = useWords();
  const t = words.staff;
  const facts = useLiveQuery(async () => ({
    state: await db.state.get("tablet"),
    messages: await db.messages.count(),
    unread: await db.messages.where("unreadSeq").above(0).count(),
    outbox: await db.outbox.filter((r) => !r.failed).count(),
    refused: await db.outbox.filter((r) => Boolean(r.failed)).count(),
    receipts: await db.receipts.count(),
    photos: await db.photos.where("status").equals("stored").count(),
    photoBytes: await photoBytes(db),
  }));
  const [storage, setStorage] = useState<StorageFacts | null>(null);
  useEffect(() => {
    void readStorageFacts(t).then(setStorage);
  }, [t]);

  const last = facts?.state?.lastSyncedAt;
  const rows: [string, string][] = [
    [t.version, appVersion()],
    [t.online, connection === "offline" ? t.onlineNo : t.onlineYes],
    [t.lastSync, last ? sinceInWords(new Date(last), new Date(), words) : t.never],
    [t.messages, String(facts?.messages ?? "")],
    [t.unread, String(facts?.unread ?? "")],
    [t.waiting, t.waitingValue(facts?.outbox ?? 0, facts?.receipts ?? 0)],
    [t.notSent, String(facts?.refused ?? 0)],
    [t.photos, t.photosValue(facts?.photos ?? 0, size(facts?.photoBytes))],
    [t.storage, t.storageValue(size(storage?.usage), size(storage?.quota))],
    [t.persisted, storage?.persisted ? t.yes : t.no],
    [t.push, storage?.push ?? ""],
    // Only where the browser reads its battery: elsewhere there is nothing true to say.
    ...(storage?.battery ? [[t.battery, storage.battery] as [string, string]] : []),
    [t.wakeLock, wakeLock?.held ? t.yes : t.no],
  ];
  return (
    <>
      <dl className="staff-status">
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div className="staff-buttons">
        <button type="button" className="danger" onClick={onSetUpAgain}>
          {t.setUpAgain}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </>
  );
}

function Confirm({ onCancel, onDone }: { onCancel: () => void; onDone: () => void }) {
  const t = useWords().staff;
  const name = useLiveQuery(async () => (await db.state.get("tablet"))?.preferredName ?? "");
  return (
    <>
      <p>{t.confirmBody(name ?? "")}</p>
      <div className="staff-buttons">
        <button
          type="button"
          className="danger"
          onClick={async () => {
            await wipeTablet(db);
            onDone();
          }}
        >
          {t.confirmYes}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t.confirmNo}
        </button>
      </div>
    </>
  );
}
