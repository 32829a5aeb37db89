/**
 * WCAG 2 contrast between two opaque sRGB colours, and a reader of a stylesheet's custom
 * properties, so that the colours of the pages can be checked where they are written.
 */

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const digits = hex.replace(/^#/, "");
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new Error(`Not an opaque hex colour: ${hex}`);
  const at = (i: number) => channel(Number.parseInt(full.slice(i, i + 2), 16));
  return 0.2126 * at(0) + 0.7152 * at(2) + 0.0722 * at(4);
}

export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Every `--name: #hex;` declared in the stylesheet, later declarations winning. */
export function customProperties(css: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of css.matchAll(/(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b/g)) {
    const [, name, value] = match;
    if (name && value) found[name] = value;
  }
  return found;
}
