/**
 * The language the tablet last used, kept in localStorage as well as IndexedDB so that the first
 * frame after a restart is already in the resident's language. No React here: the sync engine
 * forgets it when staff wipe the tablet.
 */
const LANGUAGE_KEY = "letterbox.tablet.language";

export function readLanguage(): string | null {
  try {
    return globalThis.localStorage?.getItem(LANGUAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function writeLanguage(language: string | null) {
  try {
    if (language) globalThis.localStorage?.setItem(LANGUAGE_KEY, language);
    else globalThis.localStorage?.removeItem(LANGUAGE_KEY);
  } catch {
    // Private mode or storage full: the next start is in English until the settings are read.
  }
}
