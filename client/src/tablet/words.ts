import { createContext, useContext } from "react";
import type { TabletText } from "../i18n/tablet-en-GB";
import { readLanguage, writeLanguage } from "./language-memory";

export type Language = "en-GB" | "cy";

/** Only the resident's own language is fetched: each catalogue is its own small chunk. */
const catalogues: Record<Language, () => Promise<{ tabletText: TabletText }>> = {
  "en-GB": () => import("../i18n/tablet-en-GB"),
  cy: () => import("../i18n/tablet-cy"),
};

export const isLanguage = (value: unknown): value is Language => value === "en-GB" || value === "cy";

/** The language to start in, so that the catalogue is fetched in parallel with opening the database. */
export function rememberedLanguage(): Language {
  const stored = readLanguage();
  return isLanguage(stored) ? stored : "en-GB";
}

export const rememberLanguage = (language: Language | null) => writeLanguage(language);

export async function loadWords(language: Language): Promise<TabletText> {
  return (await catalogues[language]()).tabletText;
}

export const WordsContext = createContext<TabletText | null>(null);

export function useWords(): TabletText {
  const words = useContext(WordsContext);
  if (!words) throw new Error("useWords outside WordsContext");
  return words;
}
