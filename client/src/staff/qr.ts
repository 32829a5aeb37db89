/**
 * A QR code as an SVG data URL for an <img>: the console's CSP allows no inline styles or scripts,
 * and an image needs neither. The encoder loads only when a page shows a code.
 */
export async function qrDataUrl(text: string): Promise<string> {
  const QRCode = (await import("qrcode")).default;
  const svg = await QRCode.toString(text, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
}
