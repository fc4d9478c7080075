import path from "node:path";

export interface Config {
  port: number;
  dataDir: string;
  /** Largest accepted upload per file, in bytes. */
  maxFileBytes: number;
  /** Most files one upload request stores; the rest get a per-file "too many files" result. */
  maxFilesPerUpload: number;
  /** Largest accepted image in pixels (decompression-bomb guard). */
  maxPixels: number;
  /** Images above this many pixels get a tile pyramid. */
  tileThresholdPixels: number;
  logLevel: string;
}

const int = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => ({
  port: int(env.PORT, 3000, "PORT"),
  dataDir: path.resolve(env.LABELBENCH_DATA_DIR ?? "data"),
  // 2 GB: a 20,000 x 20,000 image is 1.2 GB as an uncompressed RGB TIFF. Uploads stream to disk.
  maxFileBytes: int(env.LABELBENCH_MAX_FILE_MB, 200, "LABELBENCH_MAX_FILE_MB") * 1024 * 1024,
  maxFilesPerUpload: 10_000,
  maxPixels: int(env.LABELBENCH_MAX_MEGAPIXELS, 1000, "LABELBENCH_MAX_MEGAPIXELS") * 1_000_000,
  tileThresholdPixels: int(env.LABELBENCH_TILE_MEGAPIXELS, 25, "LABELBENCH_TILE_MEGAPIXELS") * 1_000_000,
  logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
});

/** Defaults for tests and embedding: everything under one directory. */
export const testConfig = (dataDir: string, overrides: Partial<Config> = {}): Config => ({
  port: 0,
  dataDir,
  maxFileBytes: 200 * 1024 * 1024,
  maxFilesPerUpload: 10_000,
  maxPixels: 1_000_000_000,
  tileThresholdPixels: 25_000_000,
  logLevel: "silent",
  ...overrides,
});
