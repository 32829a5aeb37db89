import type { ResidentSettings } from "@letterbox/shared";
import { db, type TabletState } from "../db/db";
import type { TabletText } from "../i18n/tablet-en-GB";
import { readScreen, type ScreenModel } from "./screen-model";
import { isLanguage, loadWords, rememberedLanguage } from "./words";

/** What the first screen needs, read before React starts so that its first paint is the message itself. */
export type Boot = {
  words: TabletText;
  state?: TabletState | null;
  settings?: ResidentSettings | null;
  screen?: ScreenModel;
};

/**
 * The catalogue and the database are read side by side. Anything IndexedDB cannot answer is left
 * out: the screen's own live queries fill it in a moment later.
 */
export async function boot(): Promise<Boot> {
  performance.mark("boot:start");
  const remembered = rememberedLanguage();
  const [words, stored] = await Promise.all([
    marked("boot:words", loadWords(remembered)),
    marked(
      "boot:db",
      db.transaction("r", db.tables, () =>
        Promise.all([db.state.get("tablet"), db.settings.get("resident"), readScreen(db, null)]),
      ),
    ).catch(() => null),
  ]);
  if (!stored) return { words };
  const [state, settings, screen] = stored;
  const language = settings?.language;
  return {
    words: isLanguage(language) && language !== remembered ? await loadWords(language) : words,
    state: state ?? null,
    settings: settings ?? null,
    screen,
  };
}

/** Marks when each part of the start is ready: the tablet bench reads them to say where the time goes. */
async function marked<T>(name: string, promise: Promise<T>): Promise<T> {
  const value = await promise;
  performance.mark(name);
  return value;
}
