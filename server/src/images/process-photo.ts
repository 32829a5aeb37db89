/**
 * The relay never stores what a phone sent. Every upload is identified from its bytes, checked for
 * size in pixels before it is decoded, then decoded and re-encoded as two fresh JPEGs (display and
 * thumbnail), upright, in sRGB, with no metadata. Re-encoding is what makes the output safe: EXIF
 * GPS, colour profiles, comments and anything appended after the image (a polyglot's HTML or zip)
 * do not survive it.
 */
import { LIMITS } from "@letterbox/shared";
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from "sharp";
import { AppError } from "../errors";

// libvips keeps the results of recent operations for reuse (up to 50 MB by default). Every upload
// is a different image, so nothing is ever reused: the cache would only hold memory.
sharp.cache(false);

/** The formats a family member may send, as told by the file's first bytes. */
export type PhotoFormat = "jpeg" | "png" | "webp" | "avif" | "gif";

export type EncodedPhoto = { bytes: Buffer; width: number; height: number };

export type ProcessedPhoto = {
  /** What the upload was, for logs; the stored images are always JPEG. */
  source: PhotoFormat;
  display: EncodedPhoto;
  thumb: EncodedPhoto;
};

export type ProcessPhotoOptions = {
  maxPixels?: number;
  displayLongEdge?: number;
  thumbLongEdge?: number;
  /**
   * The display image is the one every tablet downloads and keeps offline, so its size is capped:
   * a very detailed photo is re-encoded at a lower quality until it fits (or the lowest is reached).
   */
  displayMaxBytes?: number;
};

const DEFAULTS = {
  maxPixels: LIMITS.photoMaxPixels,
  displayLongEdge: LIMITS.photoDisplayLongEdge,
  thumbLongEdge: LIMITS.photoThumbLongEdge,
  displayMaxBytes: 300 * 1024,
} satisfies Required<ProcessPhotoOptions>;

const DISPLAY_QUALITIES = [80, 74, 68, 62] as const;
const THUMB_QUALITY = 70;

/**
 * libjpeg (mozjpeg's build) with mozjpeg's quantisation table, without trellis quantisation: on a
 * detailed 1600 × 1200 image trellis took 116 ms more (the full mozjpeg preset 180 ms more) to save
 * about 7 % at equal PSNR, which the 250 ms budget for a 12-megapixel photo cannot pay for on a
 * small relay. The quality ladder above keeps the size in check instead.
 */
const JPEG_SETTINGS = { quantisationTable: 3 } as const;

const WHITE = { r: 255, g: 255, b: 255 };

const MESSAGES = {
  empty: "The photo arrived empty. Please choose it again.",
  unreadable: "This photo could not be read. It may be damaged or only partly sent. Please try sending it again.",
  unsupported: "This file is not a photo Letterbox can show. Please choose a JPEG, PNG, WebP, AVIF or GIF picture.",
  heic:
    "This photo is in your phone's own format (HEIC), which Letterbox cannot read. Please send it as a JPEG: " +
    "on an iPhone, set Settings › Camera › Formats to “Most Compatible”, or choose to send the photo as a JPEG.",
} as const;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// ISO base media files (HEIF, AVIF, also MP4) start with an `ftyp` box listing "brands".
const AVIF_BRANDS = new Set(["avif", "avis"]);
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1"]);

/**
 * The format the bytes say they are, from their magic numbers alone; "heic" for HEIC/HEIF, which
 * is recognised only to be refused with a useful message. Undefined for anything else.
 */
export function detectPhotoFormat(input: Uint8Array): PhotoFormat | "heic" | undefined {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const ascii = (start: number, end: number) => bytes.toString("latin1", start, end);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return "png";
  if (bytes.length >= 6 && (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a")) return "gif";
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (bytes.length >= 16 && ascii(4, 8) === "ftyp") {
    const boxEnd = Math.min(bytes.readUInt32BE(0), bytes.length);
    const brands = [ascii(8, 12)];
    for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(at, at + 4));
    if (brands.some((brand) => AVIF_BRANDS.has(brand))) return "avif";
    if (brands.some((brand) => HEIC_BRANDS.has(brand))) return "heic";
  }
  return undefined;
}

/** What libvips calls each format once it has read the header. */
const DECODER_NAME: Record<PhotoFormat, string> = { jpeg: "jpeg", png: "png", webp: "webp", gif: "gif", avif: "heif" };

/**
 * Turns an uploaded photo into the display image and thumbnail the relay stores. Throws AppError
 * with a photo_* code for anything it will not take; never returns the input's bytes.
 */
export async function processPhoto(input: Uint8Array | Buffer, opts: ProcessPhotoOptions = {}): Promise<ProcessedPhoto> {
  const settings = { ...DEFAULTS, ...opts };
  if (input.byteLength === 0) throw new AppError("photo_unreadable", MESSAGES.empty);

  const source = detectPhotoFormat(input);
  if (source === "heic") throw new AppError("photo_type_unsupported", MESSAGES.heic);
  if (source === undefined) throw new AppError("photo_type_unsupported", MESSAGES.unsupported);

  // The header alone: no pixel is decoded before the pixel count has been checked.
  let header: Metadata;
  try {
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw unreadable(err);
  }
  if (header.format !== DECODER_NAME[source]) throw new AppError("photo_unreadable", MESSAGES.unreadable);
  // An AVIF brand on an HEVC-coded image is still a HEIC photo as far as we can decode it.
  if (source === "avif" && header.compression !== "av1") throw new AppError("photo_type_unsupported", MESSAGES.heic);
  checkPixels(header.width * header.height, settings.maxPixels);

  // A lying header cannot get past the decoder either: libvips enforces the same pixel limit.
  // Only the first frame of an animation is read (sharp's default).
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(input, { limitInputPixels: settings.maxPixels, failOn: "warning" })
      .autoOrient()
      .resize(settings.displayLongEdge, settings.displayLongEdge, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: WHITE })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw unreadable(err, settings.maxPixels);
  }

  // Decode once, at display size; both JPEGs are encoded from those pixels, in parallel.
  const raw = { raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels } };
  const [display, thumb] = await Promise.all([
    encodeDisplay(pixels.data, raw, settings.displayMaxBytes),
    sharp(pixels.data, raw)
      .resize(settings.thumbLongEdge, settings.thumbLongEdge, { fit: "inside", withoutEnlargement: true })
      .jpeg({ quality: THUMB_QUALITY, ...JPEG_SETTINGS })
      .toBuffer({ resolveWithObject: true }),
  ]);
  return {
    source,
    display: { bytes: display.data, width: display.info.width, height: display.info.height },
    thumb: { bytes: thumb.data, width: thumb.info.width, height: thumb.info.height },
  };
}

async function encodeDisplay(pixels: Buffer, raw: SharpOptions, maxBytes: number) {
  let encoded: { data: Buffer; info: OutputInfo } | undefined;
  for (const quality of DISPLAY_QUALITIES) {
    encoded = await sharp(pixels, raw)
      .jpeg({ quality, ...JPEG_SETTINGS })
      .toBuffer({ resolveWithObject: true });
    if (encoded.data.byteLength <= maxBytes) break;
  }
  if (!encoded) throw new Error("No display quality configured.");
  return encoded;
}

function checkPixels(count: number, maxPixels: number) {
  if (count <= maxPixels) return;
  throw new AppError(
    "photo_too_many_pixels",
    `This picture is ${megapixels(count)} megapixels, more than the ${megapixels(maxPixels)} megapixels Letterbox takes. ` +
      "Please send a smaller copy of it.",
  );
}

function megapixels(pixels: number): string {
  const value = pixels / 1_000_000;
  return value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** libvips reports a bad file as an error; the family member only needs to know it could not be read. */
function unreadable(cause: unknown, maxPixels?: number): AppError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const error =
    maxPixels !== undefined && detail.includes("exceeds pixel limit")
      ? new AppError(
          "photo_too_many_pixels",
          `This picture has more than the ${megapixels(maxPixels)} megapixels Letterbox takes. Please send a smaller copy of it.`,
        )
      : new AppError("photo_unreadable", MESSAGES.unreadable);
  // Kept for the relay's own log; never shown to the family member.
  error.cause = cause;
  return error;
}
