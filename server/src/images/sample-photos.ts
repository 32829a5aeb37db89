import sharp from "sharp";

// A fixture for the photo tests and the photo benchmark, made on the fly (no binary committed).

/**
 * A camera-like 12-megapixel JPEG: gradients and soft shapes, texture a few pixels across (which
 * survives the shrink to display size, as a photo's detail does) and fine sensor noise. At quality
 * 92 it is about 4.4 MB, like a phone's 12-megapixel photo of a busy scene.
 */
export async function twelveMegapixelJpeg(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const scene = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      scene[at] = (x / width) * 200 + 30;
      scene[at + 1] = (y / height) * 180 + 40;
      scene[at + 2] = 128 + 80 * Math.sin(x / 90) * Math.cos(y / 130);
    }
  }
  const raw = { width, height, channels: 3 } as const;
  const texture = await sharp({
    create: { width: 1333, height: 1000, channels: 3, background: "black", noise: { type: "gaussian", mean: 128, sigma: 20 } },
  })
    .png()
    .toBuffer()
    .then((small) => sharp(small).resize(width, height, { kernel: "cubic" }).raw().toBuffer());
  const grain = await sharp({ create: { ...raw, background: "black", noise: { type: "gaussian", mean: 128, sigma: 10 } } })
    .raw()
    .toBuffer();
  return sharp(scene, { raw })
    .composite([
      { input: texture, raw, blend: "overlay" },
      { input: grain, raw, blend: "overlay" },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}
