import type { LIMITS } from "@letterbox/shared";

/** The relay's display size: shrinking further would lose detail the tablet shows; less would waste mobile data. */
export const LONG_EDGE: (typeof LIMITS)["photoDisplayLongEdge"] = 1600;
const QUALITY = 0.85;

/** The size to draw at: the same shape, the long edge at most `longEdge`, never enlarged. */
export function fitWithin(width: number, height: number, longEdge: number = LONG_EDGE): { width: number; height: number } {
  const scale = Math.min(1, longEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type Decoded = { image: CanvasImageSource; width: number; height: number; release(): void };

async function decode(file: Blob): Promise<Decoded> {
  if (typeof createImageBitmap === "function") {
    try {
      // Turned upright by its EXIF orientation, as the camera meant it.
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      return { image: bitmap, width: bitmap.width, height: bitmap.height, release: () => bitmap.close() };
    } catch {
      // Some browsers refuse the options or the format here but can still show it in an <img>.
    }
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch (err) {
    URL.revokeObjectURL(url);
    throw err;
  }
  return { image: img, width: img.naturalWidth, height: img.naturalHeight, release: () => URL.revokeObjectURL(url) };
}

async function encode(image: CanvasImageSource, width: number, height: number): Promise<Blob> {
  const draw = (ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D) => {
    // JPEG has no transparency: a transparent PNG would turn black without a white ground.
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(image, 0, 0, width, height);
  };
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d");
    if (ctx) {
      draw(ctx);
      return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
    }
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("No 2D canvas");
  draw(ctx);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("Could not encode"))), "image/jpeg", QUALITY),
  );
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * A photo made ready to send: upright, long edge at most 1600 px, JPEG. A 12-megapixel phone photo
 * of 4 MB becomes about 300 KB. When the phone cannot read the photo itself (HEIC on some
 * browsers), or shrinking would not make it smaller, the original goes: the relay checks and
 * re-encodes every photo anyway, and explains what it cannot read.
 */
export function shrinkPhoto(file: Blob): Promise<Blob> {
  // One at a time: ten 12-megapixel photos decoded at once would need half a gigabyte on a phone.
  const done = queue.then(() => shrinkNow(file));
  queue = done.catch(() => {});
  return done;
}

async function shrinkNow(file: Blob): Promise<Blob> {
  let decoded: Decoded;
  try {
    decoded = await decode(file);
  } catch {
    return file;
  }
  try {
    const size = fitWithin(decoded.width, decoded.height);
    const shrunk = await encode(decoded.image, size.width, size.height);
    const resized = size.width !== decoded.width || size.height !== decoded.height;
    return resized || shrunk.size < file.size ? shrunk : file;
  } catch {
    return file;
  } finally {
    decoded.release();
  }
}
