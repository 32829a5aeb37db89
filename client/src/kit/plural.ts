/**
 * A count and the words that go with it, chosen by the language's plural rules (Intl.PluralRules):
 * English has "one" and "other"; Welsh has zero, one, two, few, many and other, and a catalogue
 * gives the words for whichever it needs. A category left out falls back to `other`.
 */
export type PluralWords = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();

/** The words for `n`: `pluralWord("en-GB", 1, { one: "photo", other: "photos" })` → "photo". */
export function pluralWord(lang: string, n: number, words: PluralWords): string {
  let rule = rules.get(lang);
  if (!rule) {
    rule = new Intl.PluralRules(lang);
    rules.set(lang, rule);
  }
  return words[rule.select(n)] ?? words.other;
}

/** `count("en-GB", 3, { one: "photo", other: "photos" })` → "3 photos". */
export const count = (lang: string, n: number, words: PluralWords) => `${n} ${pluralWord(lang, n, words)}`;
