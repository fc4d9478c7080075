import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVER_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.resolve(SERVER_SRC, "../../..");

/**
 * The packages a server started the way `npm start` starts it (main.ts) has loaded, read from
 * Node's module cache in a child process: the drivers are CommonJS, so each file they load is in
 * require.cache, whether it came in through an import or a require.
 */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });

const driversLoadedAtStart = async (env: Record<string, string>): Promise<string[]> => {
  const port = String(await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-drivers-"));
  const script = `
    import { createRequire } from "node:module";
    await import(${JSON.stringify(path.join(SERVER_SRC, "main.ts"))});
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .map((f) => /node_modules\\/((?:@aws-sdk\\/)?[^/]+)\\//.exec(f)?.[1])
      .filter((p) => p === "pg" || p === "pg-copy-streams" || p?.startsWith("@aws-sdk/"));
    console.log("LOADED " + JSON.stringify([...new Set(loaded)].sort()));
    process.exit(0);
  `;
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: REPO,
      env: { ...process.env, PORT: port, LABELBENCH_DATA_DIR: dataDir, LOG_LEVEL: "error", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });
    const line = out.split("\n").find((l) => l.startsWith("LOADED "));
    if (!line) throw new Error(`no answer from the child: ${out}`);
    return JSON.parse(line.slice("LOADED ".length)) as string[];
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

describe("drivers a server does not use", () => {
  // Memory, not time: the AWS SDK and pg held ~30 MB of every server's resident memory, which the
  // export budget (bench: server peak RSS ≤ 256 MB) counts.
  it("are not loaded by a server on SQLite and local storage", async () => {
    expect(await driversLoadedAtStart({ LABELBENCH_DATABASE_URL: "", LABELBENCH_STORAGE_URL: "" })).toEqual(
      [],
    );
  }, 90_000);
});
