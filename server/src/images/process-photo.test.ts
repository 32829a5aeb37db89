import { crc32, deflateSync } from "node:zlib";
import { LIMITS } from "@letterbox/shared";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { detectPhotoFormat, type ProcessedPhoto, processPhoto } from "./process-photo";
import { twelveMegapixelJpeg } from "./sample-photos";

// Fixtures are made here with sharp, so that no binary file is committed and each one shows
// what it is.

const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };
const WHITE = { r: 255, g: 255, b: 255 };

/** A white landscape picture with a red square in its top-left corner, as stored (before any rotation). */
function markedPicture(width = 600, height = 400) {
  return sharp({ create: { width, height, channels: 3, background: WHITE } }).composite([
    { input: { create: { width: 80, height: 80, channels: 3, background: RED } }, left: 0, top: 0 },
  ]);
}

/** As a phone writes it: held upright, stored sideways with orientation 6, and the place it was taken. */
async function phoneJpeg() {
  return markedPicture()
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: "Google", Model: "Pixel 7", Software: "Camera 9.1" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 52/1 1234/100", GPSLongitudeRef: "W", GPSLongitude: "0/1 25/1 5/1" },
    })
    .withMetadata({ orientation: 6 })
    .withIccProfile("p3")
    .toBuffer();
}

/** Tags of the first EXIF directory (0x8825 points at the GPS directory). */
function exifTags(exif: Buffer): number[] {
  const tiff = exif.subarray(0, 6).toString("latin1") === "Exif\0\0" ? exif.subarray(6) : exif;
  const little = tiff.toString("latin1", 0, 2) === "II";
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  return Array.from({ length: u16(ifd) }, (_, i) => u16(ifd + 2 + i * 12));
}

async function pixelAt(jpeg: Buffer, x: number, y: number) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at] ?? -1, g: data[at + 1] ?? -1, b: data[at + 2] ?? -1 };
}

/** JPEG is lossy: a colour is "the same" within a small distance. */
function expectColour(actual: { r: number; g: number; b: number }, expected: { r: number; g: number; b: number }) {
  const distance = Math.max(Math.abs(actual.r - expected.r), Math.abs(actual.g - expected.g), Math.abs(actual.b - expected.b));
  expect(distance, `${JSON.stringify(actual)} should be ${JSON.stringify(expected)}`).toBeLessThan(40);
}

async function expectCleanJpeg(image: { bytes: Buffer; width: number; height: number }) {
  const meta = await sharp(image.bytes).metadata();
  expect(meta.format).toBe("jpeg");
  expect([meta.width, meta.height]).toEqual([image.width, image.height]);
  expect(meta.exif).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.iptc).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
  expect(meta.space).toBe("srgb");
}

/** A PNG made of chunks written by hand, so its header can claim anything. */
function pngChunk(type: string, data: Buffer) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function pngClaiming(width: number, height: number) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(1024))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

async function rejection(input: Uint8Array, opts?: Parameters<typeof processPhoto>[1]) {
  const error = await processPhoto(input, opts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("processPhoto: a phone's JPEG", () => {
  it("has its EXIF (GPS included), colour profile and orientation removed, and is turned upright", async () => {
    const input = await phoneJpeg();
    // The fixture carries what the test says it does.
    const before = await sharp(input).metadata();
    expect(before.orientation).toBe(6);
    expect(exifTags(before.exif ?? Buffer.alloc(0))).toContain(0x8825);
    expect(before.icc).toBeDefined();
    expect([before.width, before.height]).toEqual([600, 400]);

    const out = await processPhoto(input);
    expect(out.source).toBe("jpeg");
    await expectCleanJpeg(out.display);
    await expectCleanJpeg(out.thumb);
    expect(out.display.bytes.includes("Pixel 7")).toBe(false);
    expect(out.display.bytes.includes("Exif")).toBe(false);

    // Orientation 6 means "turn a quarter clockwise to view": portrait, and the red corner that
    // was stored top-left is seen top-right.
    expect([out.display.width, out.display.height]).toEqual([400, 600]);
    expectColour(await pixelAt(out.display.bytes, 400 - 20, 20), RED);
    expectColour(await pixelAt(out.display.bytes, 20, 20), WHITE);
    expectColour(await pixelAt(out.display.bytes, 20, 600 - 20), WHITE);
    expect([out.thumb.width, out.thumb.height]).toEqual([267, 400]);
    expectColour(await pixelAt(out.thumb.bytes, 267 - 8, 8), RED);
  });

  it("shrinks a 12-megapixel photo to a display image of at most 1600 px and 300 KB, and a 400 px thumbnail", {
    timeout: 30_000,
  }, async () => {
    const out = await processPhoto(await twelveMegapixelJpeg());
    expect([out.display.width, out.display.height]).toEqual([LIMITS.photoDisplayLongEdge, 1200]);
    expect(out.display.bytes.byteLength).toBeLessThanOrEqual(300 * 1024);
    expect([out.thumb.width, out.thumb.height]).toEqual([LIMITS.photoThumbLongEdge, 300]);
    expect(out.thumb.bytes.byteLength).toBeLessThan(out.display.bytes.byteLength);
  });

  it("lowers the display quality when a detailed photo would be too big, down to a floor, and never enlarges", async () => {
    const detailed = await sharp({
      create: { width: 1200, height: 900, channels: 3, background: "black", noise: { type: "gaussian", mean: 128, sigma: 40 } },
    })
      .jpeg({ quality: 95 })
      .toBuffer();
    const roomy = await processPhoto(detailed, { displayMaxBytes: Number.POSITIVE_INFINITY });
    const cap = Math.round(roomy.display.bytes.byteLength * 0.85);
    const capped = await processPhoto(detailed, { displayMaxBytes: cap });
    expect(capped.display.bytes.byteLength).toBeLessThanOrEqual(cap);
    expect([capped.display.width, capped.display.height]).toEqual([1200, 900]);
    // A cap no quality can meet gives the lowest quality rather than a refusal.
    const floor = await processPhoto(detailed, { displayMaxBytes: 1 });
    expect(floor.display.bytes.byteLength).toBeLessThan(capped.display.bytes.byteLength);
  });

  it("drops anything appended after the image (a JPEG + HTML + ZIP polyglot)", async () => {
    const html = "<html><body><script>alert(document.cookie)</script></body></html>";
    // A zip's local file header and central directory end, as a JPEG + ZIP polyglot carries them.
    const zip = Buffer.concat([
      Buffer.from("PK\x03\x04payload.exe", "latin1"),
      Buffer.from("PK\x05\x06", "latin1"),
      Buffer.alloc(18),
    ]);
    const polyglot = Buffer.concat([await markedPicture().jpeg().toBuffer(), Buffer.from(html), zip]);
    expect(detectPhotoFormat(polyglot)).toBe("jpeg");

    const out = await processPhoto(polyglot);
    for (const image of [out.display, out.thumb]) {
      expect(image.bytes.includes("<script>")).toBe(false);
      expect(image.bytes.includes("<html>")).toBe(false);
      expect(image.bytes.includes("PK\x03\x04")).toBe(false);
      expect(image.bytes.includes("payload.exe")).toBe(false);
      // The output ends where a JPEG ends.
      expect(image.bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    }
  });
});

describe("processPhoto: other formats", () => {
  const check = async (input: Buffer, source: ProcessedPhoto["source"]) => {
    expect(detectPhotoFormat(input)).toBe(source);
    const out = await processPhoto(input);
    expect(out.source).toBe(source);
    await expectCleanJpeg(out.display);
    await expectCleanJpeg(out.thumb);
    expect([out.display.width, out.display.height]).toEqual([600, 400]);
    expectColour(await pixelAt(out.display.bytes, 20, 20), RED);
    expectColour(await pixelAt(out.display.bytes, 300, 300), WHITE);
    return out;
  };

  it("takes a PNG", async () => {
    await check(await markedPicture().png().toBuffer(), "png");
  });

  it("takes a WebP", async () => {
    await check(await markedPicture().webp({ quality: 90 }).toBuffer(), "webp");
  });

  it("takes an AVIF", async () => {
    await check(await markedPicture().avif({ quality: 80 }).toBuffer(), "avif");
  });

  it("takes a GIF", async () => {
    await check(await markedPicture().gif().toBuffer(), "gif");
  });

  it("takes only the first frame of an animated GIF", async () => {
    // Three 120 × 80 frames, one above the other: blue, red, white.
    const frame = (colour: typeof RED) =>
      sharp({ create: { width: 120, height: 80, channels: 3, background: colour } })
        .raw()
        .toBuffer();
    const frames = Buffer.concat([await frame(BLUE), await frame(RED), await frame(WHITE)]);
    const gif = await sharp(frames, { raw: { width: 120, height: 240, channels: 3, pageHeight: 80 } })
      .gif({ loop: 0, delay: [500, 500, 500] })
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(3);

    const out = await processPhoto(gif);
    expect([out.display.width, out.display.height]).toEqual([120, 80]);
    expectColour(await pixelAt(out.display.bytes, 60, 40), BLUE);
    expectColour(await pixelAt(out.display.bytes, 60, 79), BLUE);
  });

  it("puts a transparent picture on white", async () => {
    const transparent = await sharp({
      create: { width: 200, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([
        { input: { create: { width: 50, height: 50, channels: 4, background: { ...BLUE, alpha: 1 } } }, left: 0, top: 0 },
      ])
      .png()
      .toBuffer();
    const out = await processPhoto(transparent);
    expect((await sharp(out.display.bytes).metadata()).channels).toBe(3);
    expectColour(await pixelAt(out.display.bytes, 150, 50), WHITE);
    expectColour(await pixelAt(out.display.bytes, 10, 10), BLUE);
  });

  it("converts a CMYK JPEG (as from a scanner or print shop) to sRGB", async () => {
    const cmyk = await markedPicture().toColourspace("cmyk").jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const out = await processPhoto(cmyk);
    await expectCleanJpeg(out.display);
    expect((await sharp(out.display.bytes).metadata()).channels).toBe(3);
    expectColour(await pixelAt(out.display.bytes, 20, 20), RED);
    expectColour(await pixelAt(out.display.bytes, 300, 300), WHITE);
  });

  it("turns a 16-bit greyscale PNG into an 8-bit sRGB JPEG", async () => {
    const grey = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .greyscale()
      .png()
      .toColourspace("grey16")
      .toBuffer();
    const before = await sharp(grey).metadata();
    expect([before.space, before.depth]).toEqual(["grey16", "ushort"]);

    const out = await processPhoto(grey);
    await expectCleanJpeg(out.display);
    expect([out.display.width, out.display.height]).toEqual([300, 200]);
    expectColour(await pixelAt(out.display.bytes, 150, 100), { r: 90, g: 90, b: 90 });
  });
});

describe("processPhoto: bad input", () => {
  it("refuses an empty file as unreadable", async () => {
    const error = await rejection(new Uint8Array(0));
    expect(error.code).toBe("photo_unreadable");
    expect(error.message).toMatch(/empty/);
  });

  it("refuses a truncated JPEG as unreadable", async () => {
    const jpeg = await markedPicture().jpeg().toBuffer();
    const error = await rejection(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    expect(error.code).toBe("photo_unreadable");
    expect(error.message).toMatch(/could not be read/);
  });

  it("refuses a JPEG whose header is corrupt as unreadable", async () => {
    const jpeg = await markedPicture().jpeg().toBuffer();
    const error = await rejection(Buffer.concat([jpeg.subarray(0, 4), Buffer.alloc(200, 0x42)]));
    expect(error.code).toBe("photo_unreadable");
  });

  it("refuses a 50,000 × 50,000 PNG from its header, without decoding it", async () => {
    const bomb = pngClaiming(50_000, 50_000);
    expect(bomb.length).toBeLessThan(100);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(50_000);

    const started = performance.now();
    const error = await rejection(bomb);
    expect(error.code).toBe("photo_too_many_pixels");
    // The megapixel count comes from the header check, before any decoder ran.
    expect(error.message).toBe(
      "This picture is 2500 megapixels, more than the 50 megapixels Letterbox takes. Please send a smaller copy of it.",
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("takes a picture of exactly the pixel limit and refuses one pixel more", async () => {
    const png = await sharp({ create: { width: 100, height: 50, channels: 3, background: BLUE } })
      .png()
      .toBuffer();
    expect((await processPhoto(png, { maxPixels: 5000 })).display.width).toBe(100);
    const error = await rejection(png, { maxPixels: 4999 });
    expect(error.code).toBe("photo_too_many_pixels");
  });

  it.each([
    ["random bytes", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251))],
    ["a text file", Buffer.from("Dear Mum,\nHere are the photos from Sunday.\nLove, Sarah\n")],
    ["an SVG (which could carry script)", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ["a PDF", Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")],
    ["an MP4 video", Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypisom\0\0\0\0isomiso2"), Buffer.alloc(64)])],
  ])("refuses %s as an unsupported type", async (_name, input) => {
    const error = await rejection(input);
    expect(error.code).toBe("photo_type_unsupported");
    expect(error.message).toBe(
      "This file is not a photo Letterbox can show. Please choose a JPEG, PNG, WebP, AVIF or GIF picture.",
    );
  });

  it("refuses a TIFF, which sharp could read, because its type is not one we take", async () => {
    const tiff = await markedPicture().tiff().toBuffer();
    expect((await sharp(tiff).metadata()).format).toBe("tiff");
    expect((await rejection(tiff)).code).toBe("photo_type_unsupported");
  });

  it("refuses a HEIC photo with a sentence telling the family member what to do", async () => {
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic"), Buffer.alloc(4), Buffer.from("mif1heic")]);
    const heic = Buffer.concat([ftyp, Buffer.alloc(512)]);
    expect(detectPhotoFormat(heic)).toBe("heic");
    const error = await rejection(heic);
    expect(error.code).toBe("photo_type_unsupported");
    expect(error.message).toMatch(/HEIC/);
    expect(error.message).toMatch(/Most Compatible/);
    expect(error.message).toMatch(/JPEG/);
  });

  it("decides the type from the bytes: a PNG is a PNG even in a buffer a browser called image/jpeg", async () => {
    // There is no name or Content-Type to pass: the bytes are all processPhoto sees.
    const png = await markedPicture().png().toBuffer();
    expect(detectPhotoFormat(png)).toBe("png");
    const withJpegMagicOnly = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png.subarray(3)]);
    expect(detectPhotoFormat(withJpegMagicOnly)).toBe("jpeg");
    expect((await rejection(withJpegMagicOnly)).code).toBe("photo_unreadable");
  });
});
