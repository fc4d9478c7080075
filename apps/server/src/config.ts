import net from "node:net";
import path from "node:path";
import { z } from "zod";

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
  /**
   * How long a process's claim on a tile job lasts without renewal (it renews at a third of this
   * while the job runs): after this long, a job whose process died is taken over by another.
   */
  tileLeaseMs: number;
  logLevel: string;
  /**
   * Express's `trust proxy`: which reverse proxies may tell the client's address (X-Forwarded-For)
   * and host (X-Forwarded-Host). false: none, the socket's peer is the client.
   */
  trustProxy: TrustProxy;
  /**
   * Mounts /api/v1/test/* (modules/tiles/test-control.ts), controls end-to-end tests use to make the
   * server's background work deterministic. Only the e2e config sets LABELBENCH_TEST_CONTROLS=1.
   */
  testControls: boolean;
  /** Where image bytes live: the data dir's `files/` folder, or an S3-compatible bucket. */
  storage: StorageConfig;
  /**
   * The address model backends (issue 17) reach this server at, to download the images they are
   * sent (LABELBENCH_PUBLIC_URL, e.g. https://labels.example.com). null: the address the request
   * that started the job or test came in on.
   */
  publicUrl: string | null;
  /** How long a process's claim on a model-backend job lasts without renewal (as tileLeaseMs). */
  backendLeaseMs: number;
}

/** LABELBENCH_STORAGE_URL, parsed: `s3://BUCKET?endpoint=URL`, or the local folder when unset. */
export const StorageConfig = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("local") }),
  z.object({
    kind: z.literal("s3"),
    // S3's bucket naming rule, which the S3-compatible servers follow too.
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "must be 3-63 lowercase letters, digits, dots and hyphens",
      ),
    /** null: AWS S3 itself. */
    endpoint: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).nullable(),
    region: z.string().min(1),
  }),
]);
export type StorageConfig = z.infer<typeof StorageConfig>;

/** `true` (any proxy), a hop count, or the proxies' addresses and subnets (`loopback`, `10.0.0.0/8`). */
export type TrustProxy = boolean | number | string[];

const int = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};

const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);
const isAddressOrSubnet = (entry: string): boolean => {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
};

/** LABELBENCH_TRUST_PROXY, checked here so a typo stops the start instead of trusting the wrong peer. */
export const parseTrustProxy = (v: string | undefined): TrustProxy => {
  const t = v?.trim().toLowerCase() ?? "";
  if (t === "" || t === "false" || t === "0") return false;
  if (t === "true") return true;
  if (/^\d+$/.test(t)) return Number(t);
  const entries = t.split(",").map((e) => e.trim());
  const bad = entries.find((e) => !isAddressOrSubnet(e));
  if (bad !== undefined)
    throw new Error(
      `LABELBENCH_TRUST_PROXY must be true, false, a hop count or a comma-separated list of proxy addresses or subnets (loopback, 10.0.0.0/8, 192.168.1.5); "${bad}" in "${v}" is none of these`,
    );
  return entries;
};

/** Checked at load, so a typo in the URL stops the start with the variable's name in the message. */
export const parseStorageUrl = (v: string | undefined, env: NodeJS.ProcessEnv = {}): StorageConfig => {
  if (v === undefined || v.trim() === "") return { kind: "local" };
  const wrong = (why: string) =>
    new Error(`LABELBENCH_STORAGE_URL must look like s3://BUCKET?endpoint=URL; "${v}" ${why}`);
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw wrong("is not a URL");
  }
  if (url.protocol !== "s3:") throw wrong(`has the scheme "${url.protocol}", only s3: is supported`);
  if (url.pathname !== "" && url.pathname !== "/")
    throw wrong("has a path after the bucket, which is not supported");
  const unknown = [...url.searchParams.keys()].filter((k) => k !== "endpoint");
  if (unknown.length > 0) throw wrong(`has the unknown parameter ${unknown.join(", ")} (only endpoint)`);
  const parsed = StorageConfig.safeParse({
    kind: "s3",
    bucket: url.hostname,
    endpoint: url.searchParams.get("endpoint"),
    // AWS_REGION as the SDK reads it; S3-compatible servers mostly take any region, us-east-1 the usual.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw wrong(`has a bad ${String(issue?.path[0] ?? "value")}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
};

/** LABELBENCH_PUBLIC_URL, checked at load: an http(s) URL with no query, without its trailing slash. */
export const parsePublicUrl = (v: string | undefined): string | null => {
  if (v === undefined || v.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new Error(`LABELBENCH_PUBLIC_URL must be an http:// or https:// URL; "${v}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(
      `LABELBENCH_PUBLIC_URL must be an http:// or https:// URL; "${v}" has the scheme ${url.protocol}`,
    );
  if (url.search || url.hash)
    throw new Error(`LABELBENCH_PUBLIC_URL must have no query or fragment; got "${v}"`);
  return url.toString().replace(/\/+$/, "");
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
  maxFilesPerUpload: 10_000,
  maxPixels: int(env.LABELBENCH_MAX_MEGAPIXELS, 1000, "LABELBENCH_MAX_MEGAPIXELS") * 1_000_000,
  tileThresholdPixels: int(env.LABELBENCH_TILE_MEGAPIXELS, 25, "LABELBENCH_TILE_MEGAPIXELS") * 1_000_000,
  tileLeaseMs: int(env.LABELBENCH_TILE_LEASE_SECONDS, 30, "LABELBENCH_TILE_LEASE_SECONDS") * 1000,
  logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
  trustProxy: parseTrustProxy(env.LABELBENCH_TRUST_PROXY),
  testControls: flag(env.LABELBENCH_TEST_CONTROLS, "LABELBENCH_TEST_CONTROLS"),
  storage: parseStorageUrl(env.LABELBENCH_STORAGE_URL, env),
  publicUrl: parsePublicUrl(env.LABELBENCH_PUBLIC_URL),
  backendLeaseMs: int(env.LABELBENCH_BACKEND_LEASE_SECONDS, 30, "LABELBENCH_BACKEND_LEASE_SECONDS") * 1000,
});

/** Defaults for tests and embedding: everything under one directory. */
export const testConfig = (dataDir: string, overrides: Partial<Config> = {}): Config => ({
  port: 0,
  dataDir,
  maxFileBytes: 200 * 1024 * 1024,
  maxFilesPerUpload: 10_000,
  maxPixels: 1_000_000_000,
  tileThresholdPixels: 25_000_000,
  tileLeaseMs: 30_000,
  logLevel: "silent",
  trustProxy: false,
  testControls: false,
  storage: { kind: "local" },
  publicUrl: null,
  backendLeaseMs: 30_000,
  ...overrides,
});
