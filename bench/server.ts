import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const ADMIN = { email: "bench@example.com", password: "bench-password-123" };

export interface RunningServer {
  url: string;
  pid: number;
  dataDir: string;
  token: string;
  /** Peak resident memory of the server process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "..");
/** Where the bundle is built (scripts/build-server.mjs honours the same variable). */
const serverDist = path.resolve(root, process.env.LABELBENCH_SERVER_DIST ?? "apps/server/dist");

let built = false;
/** The bench runs the production bundle (what `npm start` runs), built once per bench run. */
const ensureBuilt = () => {
  // BENCH_PREBUILT=1 runs the bundle already in LABELBENCH_SERVER_DIST (e.g. one built from an
  // older commit, to measure before and after in the same period on a shared machine).
  if (built || process.env.BENCH_PREBUILT === "1") return;
  execFileSync(process.execPath, ["scripts/build-server.mjs"], { cwd: root, stdio: "inherit" });
  built = true;
};

/** Starts the real server (what `npm start` runs) on a data dir, signed in with an admin token. */
export const startServer = async (opts: {
  dataDir?: string;
  port: number;
  env?: Record<string, string>;
}): Promise<RunningServer> => {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-"));
  // BENCH_PORT_OFFSET shifts every case's fixed port, so two bench runs can share a machine.
  const port = opts.port + Number(process.env.BENCH_PORT_OFFSET ?? 0);
  ensureBuilt();
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": profiles of the server's
  // threads (its workers too), written as it stops (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, "--expose-gc", "--max-semi-space-size=4", path.join(serverDist, "main.js")],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        LABELBENCH_DATA_DIR: dataDir,
        // BENCH_SERVER_LOG_LEVEL=info shows the server's own timings (e.g. an import's decode and publish).
        LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? "warn",
        LABELBENCH_ADMIN_EMAIL: ADMIN.email,
        LABELBENCH_ADMIN_PASSWORD: ADMIN.password,
        ...opts.env,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("server did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  const token = await makeToken(url);
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    dataDir,
    token,
    peakRssMb: () => {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) / 1024 : Number.NaN;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
};

/** Signs in and creates a write token, so every request is authenticated like a script's would be. */
const makeToken = async (url: string): Promise<string> => {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  if (!login.ok) return ""; // accounts not enabled on this build: run unauthenticated
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const t = await fetch(`${url}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ name: "bench", scope: "write" }),
  });
  return ((await t.json()) as { token: string }).token;
};

export const api = async <T>(
  s: RunningServer,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; json: T }> => {
  const headers: Record<string, string> = {};
  if (s.token) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${s.url}/api/v1${p}`, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : null) as T };
};
