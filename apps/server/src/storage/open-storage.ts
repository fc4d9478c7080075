import path from "node:path";
import type { Config } from "../config.js";
import { LocalStorage } from "./local-storage.js";
import { S3Storage, s3CredentialsFromEnv } from "./s3-storage.js";
import type { Storage } from "./storage.js";

/**
 * The store the configuration names, checked before the server takes a request: a bucket that is
 * missing, refuses the key or cannot be reached throws here, with what to fix, so main.ts stops
 * instead of starting a server that fails its first upload.
 */
export const openStorage = async (config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Storage> => {
  const s = config.storage;
  if (s.kind === "local") return new LocalStorage(path.join(config.dataDir, "files"));
  const storage = new S3Storage({
    bucket: s.bucket,
    endpoint: s.endpoint,
    region: s.region,
    credentials: s3CredentialsFromEnv(env),
    // Temp files stay on this machine's disk: uploads, renditions and tile pyramids are made here.
    tempDir: path.join(config.dataDir, "tmp"),
  });
  try {
    await storage.checkBucket();
  } catch (err) {
    storage.destroy();
    throw err;
  }
  return storage;
};
