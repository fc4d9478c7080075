import sharp from "sharp";

/**
 * Test images for e2e specs. Each `seed` gives different pixels and so a different sha256: the
 * server treats same-content uploads as duplicates, so distinct seeds mean distinct images.
 */
export interface TestImageOptions {
  width?: number;
  height?: number;
  seed?: number;
  format?: "png" | "jpeg" | "webp";
}

export interface TestFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A gradient-ish image with a coloured block so thumbnails tell images apart in screenshots. */
export const makeTestImage = async ({
  width = 320,
  height = 240,
  seed = 0,
  format = "png",
}: TestImageOptions = {}) => {
  const hue = (seed * 47) % 360;
  const [r, g, b] = hslToRgb(hue, 0.55, 0.62);
  const [r2, g2, b2] = hslToRgb((hue + 40) % 360, 0.6, 0.38);
  const block = await sharp({
    create: {
      width: Math.round(width / 2),
      height: Math.round(height / 2),
      channels: 3,
      background: { r: r2, g: g2, b: b2 },
    },
  })
    .png()
    .toBuffer();
  const img = sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).composite([
    { input: block, left: Math.round((((seed * 37) % 50) / 100) * width), top: Math.round(height / 4) },
  ]);
  if (format === "jpeg") return img.jpeg({ quality: 85 }).toBuffer();
  if (format === "webp") return img.webp({ quality: 85 }).toBuffer();
  return img.png().toBuffer();
};

export const imageFile = async (name: string, opts: TestImageOptions = {}): Promise<TestFile> => {
  const format = opts.format ?? (/\.jpe?g$/i.test(name) ? "jpeg" : /\.webp$/i.test(name) ? "webp" : "png");
  return { name, mimeType: `image/${format}`, buffer: await makeTestImage({ ...opts, format }) };
};

/** Text dressed up as a JPEG by its name: the server sniffs content and must refuse it. */
export const notAnImage = (name = "notes.jpg"): TestFile => ({
  name,
  mimeType: "image/jpeg",
  buffer: Buffer.from("these are meeting notes, not pixels\n".repeat(40)),
});

const hslToRgb = (h: number, s: number, l: number): [number, number, number] => {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
};
