import { FIRST_SCREEN_KEYS } from "@letterbox/shared";
import { useLiveQuery } from "dexie-react-hooks";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { db, type TabletState } from "../db/db";
import { rememberForFirstScreen, useTakeOverDrawnScreen } from "../kit/first-screen";
import { useNow } from "../kit/use-now";
import { inQuietHours } from "../kit/when";
import { noteTouch } from "./activity";
import type { Boot } from "./boot";
import { ClockBar } from "./ClockBar";
import { chime, unlockChime } from "./chime";
import { wakeLock } from "./kiosk";
import { MessageScreen } from "./MessageScreen";
import { NightClock } from "./NightClock";
import { setNight } from "./night";
import { Resting } from "./Resting";
import { SetupScreen } from "./SetupScreen";
import { StaffCornerTrigger } from "./StaffCornerTrigger";
import { SyncContext, useSync } from "./use-sync";
import { isLanguage, loadWords, rememberLanguage, WordsContext } from "./words";

// Staff open it rarely: it stays out of the first load.
const StaffCorner = lazy(() => import("./StaffCorner"));

/** At night, "Show messages" wakes the screen for this long after the last touch. */
const NIGHT_WAKE_MS = 2 * 60_000;

export function App({ initial }: { initial: Boot }) {
  // undefined: still reading IndexedDB (show only the clock, never a spinner); null: none yet.
  const state = useLiveQuery(async () => (await db.state.get("tablet")) ?? null, [], initial.state);
  const settings = useLiveQuery(async () => (await db.settings.get("resident")) ?? null, [], initial.settings);
  // A tablet that is not set up speaks English: set-up is for staff.
  const words = useResidentLanguage(state === null ? "en-GB" : settings?.language, initial.words);
  const paired = Boolean(state && !state.revoked);
  const sync = useSync(paired, state?.deviceToken);
  const now = useNow();
  const paused = Boolean(settings?.paused);
  const quiet = paired && !paused && inQuietHours(now, settings?.quietHours);
  const [nightWakeUntil, setNightWakeUntil] = useState(0);
  const night = quiet && now.getTime() >= nightWakeUntil;
  const [staffOpen, setStaffOpen] = useState(false);

  useEffect(() => {
    wakeLock?.want(paired && !quiet);
    setNight(quiet);
  }, [paired, quiet]);
  // The set-up screen in the page's HTML gives way to the app's first screen, whichever that is.
  useTakeOverDrawnScreen();
  useEffect(() => {
    // The next start draws the set-up screen only on a tablet that holds no pairing.
    if (state !== undefined) rememberForFirstScreen(FIRST_SCREEN_KEYS.tabletPaired, state !== null);
  }, [state]);
  useNewMessageChime(paired && !paused, quiet);
  usePushCheckAtStart(state);

  let screen: React.ReactNode;
  if (state === undefined || settings === undefined) {
    screen = <ClockBar />;
  } else if (state === null) {
    screen = (
      <>
        <ClockBar />
        <SetupScreen />
      </>
    );
  } else if (state.revoked) {
    screen = (
      <>
        <ClockBar />
        <Resting title={words.notSetUp} />
      </>
    );
  } else if (paused) {
    screen = (
      <>
        <ClockBar />
        <Resting title={words.resting} hint={words.restingHint} />
      </>
    );
  } else if (night) {
    screen = <NightClock now={now} onShow={() => setNightWakeUntil(Date.now() + NIGHT_WAKE_MS)} />;
  } else {
    screen = (
      <>
        <ClockBar showUnread />
        <MessageScreen settings={settings} initial={initial.screen} looking={!staffOpen} />
      </>
    );
  }

  return (
    <WordsContext.Provider value={words}>
      <SyncContext.Provider value={sync}>
        <div
          className={`tablet text-${settings?.textSize ?? "large"}${night ? " is-night" : ""}${state === null ? " is-setup" : ""}`}
          onPointerDown={() => {
            noteTouch();
            unlockChime();
            if (quiet && !night) setNightWakeUntil(Date.now() + NIGHT_WAKE_MS);
          }}
        >
          {screen}
          {state && <StaffCornerTrigger onOpen={() => setStaffOpen(true)} />}
          {staffOpen && (
            <Suspense fallback={null}>
              <StaffCorner connection={sync.connection} onClose={() => setStaffOpen(false)} />
            </Suspense>
          )}
        </div>
      </SyncContext.Provider>
    </WordsContext.Provider>
  );
}

/** The resident's language from the settings; the catalogue is fetched only when it changes. */
function useResidentLanguage(language: string | undefined, initial: Boot["words"]): Boot["words"] {
  const [words, setWords] = useState(initial);
  useEffect(() => {
    if (!isLanguage(language)) return;
    rememberLanguage(language);
    if (language === words.lang) return;
    let current = true;
    void loadWords(language).then((loaded) => current && setWords(loaded));
    return () => {
      current = false;
    };
  }, [language, words.lang]);
  useEffect(() => {
    document.documentElement.lang = words.lang;
  }, [words.lang]);
  return words;
}

/**
 * A tablet already set up when the app starts checks its push subscription (set-up subscribes by
 * itself, see SetupScreen). Loaded after the first screen: push is not needed to draw it.
 */
function usePushCheckAtStart(state: TabletState | null | undefined) {
  const checked = useRef(false);
  useEffect(() => {
    if (state === undefined || checked.current) return;
    checked.current = true;
    if (!state || state.revoked) return;
    void import("./push")
      .then(({ keepPushUpToDate }) => keepPushUpToDate(db))
      // Marks the start-up check as done (and its outcome), for diagnostics and the end-to-end tests.
      .then((pushState) => {
        document.documentElement.dataset.pushChecked = pushState ?? "none";
      });
  }, [state]);
}

/** A soft chime when a message arrives, never in quiet hours and never for what was already here at start. */
function useNewMessageChime(active: boolean, quiet: boolean) {
  const newest = useLiveQuery(async () => (await db.messages.orderBy("unreadSeq").last())?.seq ?? 0);
  const known = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (newest === undefined) return;
    const before = known.current;
    known.current = newest;
    if (before !== undefined && newest > before && active && !quiet) chime();
  }, [newest, active, quiet]);
}
