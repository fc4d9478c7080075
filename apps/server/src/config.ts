import path from "node:path";

export interface Config {
  port: number;
  dataDir: string;
  /** Largest accepted upload per file, in bytes. */
  maxFileBytes: number;
  /** Largest accepted image in pixels (decompression-bomb guard). */
  maxPixels: number;
  /** Images above this many pixels get a tile pyramid. */
  tileThresholdPixels: number;
  logLevel: string;
  /**
   * Mounts /api/v1/test/* (modules/tiles/test-control.ts), controls end-to-end tests use to make the
   * server's background work deterministic. Only the e2e config sets LABELBENCH_TEST_CONTROLS=1.
   */
  testControls: boolean;
}

const int = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

const flag = (v: string | undefined, name: string): boolean => {
  if (v === undefined || v === "" || v === "0") return false;
  if (v === "1") return true;
  throw new Error(`${name} must be 1 or 0, got "${v}"`);
};

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => ({
  port: int(env.PORT, 3000, "PORT"),
  dataDir: path.resolve(env.LABELBENCH_DATA_DIR ?? "data"),
  // 2 GB: a 20,000 x 20,000 image is 1.2 GB as an uncompressed RGB TIFF. Uploads stream to disk.
  maxFileBytes: int(env.LABELBENCH_MAX_FILE_MB, 200, "LABELBENCH_MAX_FILE_MB") * 1024 * 1024,
  maxPixels: int(env.LABELBENCH_MAX_MEGAPIXELS, 1000, "LABELBENCH_MAX_MEGAPIXELS") * 1_000_000,
  tileThresholdPixels: int(env.LABELBENCH_TILE_MEGAPIXELS, 25, "LABELBENCH_TILE_MEGAPIXELS") * 1_000_000,
  logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
  testControls: flag(env.LABELBENCH_TEST_CONTROLS, "LABELBENCH_TEST_CONTROLS"),
});

/** Defaults for tests and embedding: everything under one directory. */
export const testConfig = (dataDir: string, overrides: Partial<Config> = {}): Config => ({
  port: 0,
  dataDir,
  maxFileBytes: 200 * 1024 * 1024,
  maxPixels: 1_000_000_000,
  tileThresholdPixels: 25_000_000,
  logLevel: "silent",
  testControls: false,
  ...overrides,
});
