import { describe, expect, it } from "vitest";
import { qrDataUrl } from "./qr";

describe("QR codes", () => {
  it("is an SVG image in a data URL, with no style attribute for the CSP to block", async () => {
    const url = await qrDataUrl("https://letterbox.example/tablet#setup=ABCD2345");
    expect(url.startsWith("data:image/svg+xml;utf8,")).toBe(true);
    const svg = decodeURIComponent(url.slice("data:image/svg+xml;utf8,".length));
    expect(svg).toMatch(/^<svg[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain("<path");
    expect(svg).not.toContain("style=");
  });

  it("differs for different addresses", async () => {
    expect(await qrDataUrl("https://a.example/tablet#setup=ABCD2345")).not.toBe(
      await qrDataUrl("https://a.example/tablet#setup=WXYZ6789"),
    );
  });
});
