import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BACKEND } from "./test-support/app.js";
import { noise } from "./test-support/images.js";
import {
  type ScratchDatabase,
  SKIP_POSTGRES_REASON,
  scratchDatabase,
  TEST_DATABASE_URL,
} from "./test-support/postgres.js";
import { makeTestBucket, S3_HINT, type TestBucket, testS3 } from "./test-support/s3.js";
import { unzip } from "./test-support/zips.js";

/**
 * Issue 14's multi-process test: two server processes (the built main.js, as an operator starts it) on one
 * database and one store; autosaving clients alternate between them while one of them is killed
 * with SIGKILL at random moments and restarted. Afterwards every acknowledged save is found, and
 * the tile and export jobs started on a killed process are finished by the other.
 *
 * On SQLite both processes share one data folder (one SQLite file in WAL mode; the store is the
 * test bucket when an S3 server is there, else the folder's files/). With
 * LABELBENCH_TEST_BACKEND=postgres they share a scratch PostgreSQL database and a bucket, each with
 * a data folder of its own (temp files only), as two machines would.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The server bundle (scripts/build-server.mjs), built once into the test's folder: it starts in a fraction of tsx's time, so the processes can be killed and restarted often. */
let mainJs = "";
const ADMIN = { email: "mp-admin@example.com", password: "multi-process-admin-1" };
/** How long the clients save while processes are killed. */
const RUN_MS = 15_000;
const CLIENTS = 6;

const s3 = testS3();
const onPostgres = TEST_BACKEND === "postgres";
const missing = onPostgres && (!TEST_DATABASE_URL || !s3) ? `${SKIP_POSTGRES_REASON}; ${S3_HINT}` : null;

const freePort = async (): Promise<number> => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
};

interface Proc {
  name: string;
  port: number;
  url: string;
  child: ChildProcess | null;
  output: string;
}

let root: string;
let db: ScratchDatabase | null = null;
let bucket: TestBucket | null = null;
const procs: Proc[] = [];

const envFor = (p: Proc): NodeJS.ProcessEnv => ({
  ...process.env,
  PORT: String(p.port),
  LABELBENCH_DATA_DIR: onPostgres ? path.join(root, p.name) : path.join(root, "shared"),
  LABELBENCH_ADMIN_EMAIL: ADMIN.email,
  LABELBENCH_ADMIN_PASSWORD: ADMIN.password,
  // Tile images from 1 MP, so one small upload makes a tile job.
  LABELBENCH_TILE_MEGAPIXELS: "1",
  // A dead process's tile lease runs out after this, and the other process takes the job over.
  LABELBENCH_TILE_LEASE_SECONDS: "3",
  LOG_LEVEL: "warn",
  NODE_ENV: "production",
  ...(db ? { LABELBENCH_DATABASE_URL: db.url } : {}),
  ...(bucket && s3 ? { LABELBENCH_STORAGE_URL: `s3://${bucket.name}?endpoint=${s3.endpoint}` } : {}),
});

/** Starts a process and waits for its health endpoint; a process that exits first fails with its output. */
const start = async (p: Proc): Promise<void> => {
  p.output = "";
  const child = spawn(process.execPath, [mainJs], {
    env: envFor(p),
    stdio: ["ignore", "pipe", "pipe"],
  });
  p.child = child;
  child.stdout?.on("data", (d) => {
    p.output += d;
  });
  child.stderr?.on("data", (d) => {
    p.output += d;
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) => {
      reject(new Error(`${p.name} exited (${code ?? signal}) before answering: ${p.output}`));
    }),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const up = await Promise.race([
      fetch(`${p.url}/api/v1/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (up) return;
    await sleep(100);
  }
  throw new Error(`${p.name} did not answer /api/v1/health within 60 s: ${p.output}`);
};

/** Restarts any process a previous test left dead. */
const ensureUp = async () => {
  for (const p of procs) if (!p.child) await start(p);
};

const kill = async (p: Proc): Promise<void> => {
  const child = p.child;
  p.child = null;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await gone;
};

let token = "";
const api = (p: Proc, pathname: string, init: RequestInit = {}) =>
  fetch(`${p.url}/api/v1${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(20_000),
  });
const alive = () => procs.filter((p) => p.child !== null);
/** A request to whichever process is up, retried while processes come and go. */
const anyJson = async <T>(pathname: string, init: RequestInit = {}): Promise<T> => {
  for (let i = 0; i < 100; i++) {
    const p = alive()[i % Math.max(1, alive().length)];
    if (p) {
      const r = await api(p, pathname, init).catch(() => null);
      if (r?.ok) return (await r.json()) as T;
      if (r && r.status < 500) throw new Error(`${pathname}: ${r.status} ${await r.text()}`);
    }
    await sleep(100);
  }
  throw new Error(`${pathname}: no process answered`);
};

const uploadTo = async (p: Proc, name: string, data: Buffer, projectId: number): Promise<number> => {
  const form = new FormData();
  form.append("files", new Blob([new Uint8Array(data)]), name);
  const r = await api(p, `/projects/${projectId}/images`, { method: "POST", body: form });
  const body = (await r.json()) as { results: { status: string; image?: { id: number } }[] };
  const id = body.results[0]?.image?.id;
  if (r.status !== 200 || id === undefined)
    throw new Error(`upload ${name}: ${r.status} ${JSON.stringify(body)}`);
  return id;
};

let projectId = 0;
let labelId = 0;
const skipReason: string | null = missing;

beforeAll(async () => {
  if (skipReason) return;
  root = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-mp-"));
  const built = spawnSync(process.execPath, [path.join(REPO, "scripts/build-server.mjs")], {
    env: { ...process.env, LABELBENCH_SERVER_DIST: path.join(root, "dist") },
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`building the server bundle failed: ${built.stderr}`);
  mainJs = path.join(root, "dist", "main.js");
  if (onPostgres) db = await scratchDatabase();
  if (s3) bucket = await makeTestBucket(s3);
  for (const name of ["a", "b"]) {
    const port = await freePort();
    procs.push({ name, port, url: `http://127.0.0.1:${port}`, child: null, output: "" });
  }
  // One after the other: the first migrates and creates the admin, the second finds both done.
  for (const p of procs) await start(p);
  const [a] = procs as [Proc];
  const login = await fetch(`${a.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const made = await fetch(`${a.url}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ name: "multi-process", scope: "write" }),
  });
  expect(made.status, await made.clone().text()).toBe(201);
  token = ((await made.json()) as { token: string }).token;
  projectId = (await anyJson<{ id: number }>("/projects", post({ name: "Multi-process" }))).id;
  labelId = (await anyJson<{ id: number }>(`/projects/${projectId}/labels`, post({ name: "thing" }))).id;
}, 180_000);

afterAll(async () => {
  for (const p of procs) await kill(p);
  await bucket?.remove().catch(() => undefined);
  await db?.drop().catch(() => undefined);
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const post = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

interface Shape {
  id: string;
  labelId: number;
  geometry: { type: "box"; x: number; y: number; width: number; height: number };
}
interface AnnotationSet {
  revision: number;
  annotations: Shape[];
}
interface Ack {
  imageId: number;
  revision: number;
  ids: string[];
}

/**
 * One annotator on one image: each save adds a box to what it last saw and goes to the other
 * process than the previous one. A save whose answer was lost (its process died) may or may not
 * have been applied, so the client reloads from whichever process is up, as the editor does after a
 * conflict; only saves answered 200 count as acknowledged.
 */
const autosave = async (client: number, imageId: number, until: number, acks: Ack[]) => {
  let seen: AnnotationSet = { revision: 0, annotations: [] };
  let n = 0;
  const stats = { ok: 0, lost: 0, conflicts: 0 };
  while (Date.now() < until) {
    n++;
    const next = [
      ...seen.annotations.map(({ id, labelId, geometry }) => ({ id, labelId, geometry })),
      {
        id: `c${client}-${n}`,
        labelId,
        geometry: { type: "box" as const, x: n % 25, y: client, width: 3, height: 2 },
      },
    ];
    const p = procs[(client + n) % 2] as Proc;
    const res = await api(
      p,
      `/images/${imageId}/annotations`,
      post({ baseRevision: seen.revision, annotations: next }, "PUT"),
    )
      .then(async (r) => ({
        status: r.status,
        body: r.status === 200 ? ((await r.json()) as AnnotationSet) : await r.text(),
      }))
      .catch(() => null);
    if (res?.status === 200 && typeof res.body !== "string") {
      seen = res.body;
      stats.ok++;
      acks.push({ imageId, revision: seen.revision, ids: next.map((s) => s.id) });
    } else if (res === null || res.status >= 500 || res.status === 409) {
      if (res?.status === 409) stats.conflicts++;
      else stats.lost++;
      seen = await anyJson<AnnotationSet>(`/images/${imageId}/annotations`);
    } else throw new Error(`client ${client}: unexpected ${res.status} ${String(res.body)}`);
    await sleep(20 + Math.random() * 60);
  }
  return stats;
};

/** Kills a random process at random moments, restarting it after a short while; one is always up. */
const chaos = async (until: number) => {
  let kills = 0;
  while (Date.now() < until - 3000) {
    await sleep(300 + Math.random() * 1200);
    const victim = procs[Math.floor(Math.random() * procs.length)] as Proc;
    await kill(victim);
    kills++;
    await sleep(100 + Math.random() * 500);
    await start(victim);
  }
  return kills;
};

describe("two server processes on one database and one store", () => {
  it("finds every acknowledged save after processes were killed with SIGKILL at random moments", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    await ensureUp();
    const images: number[] = [];
    for (let c = 0; c < CLIENTS; c++)
      images.push(
        await uploadTo(procs[c % 2] as Proc, `c${c}.png`, await noise(32, 24).png().toBuffer(), projectId),
      );
    const acks: Ack[] = [];
    const until = Date.now() + RUN_MS;
    const [kills, ...stats] = await Promise.all([
      chaos(until),
      ...images.map((id, c) => autosave(c, id, until, acks)),
    ]);
    for (const p of procs) if (!p.child) await start(p);
    const sum = (k: "ok" | "lost" | "conflicts") => stats.reduce((n, s) => n + s[k], 0);
    await ctx.annotate(
      `${kills} SIGKILLs; ${sum("ok")} saves acknowledged, ${sum("lost")} answers lost with their process, ${sum("conflicts")} conflicts (a lost save that had been applied)`,
    );
    expect(kills).toBeGreaterThan(0);
    expect(stats.reduce((n, s) => n + s.ok, 0)).toBeGreaterThan(CLIENTS * 5);
    // Each process answers with the same, complete state.
    for (const p of procs)
      for (const imageId of images) {
        const r = await api(p, `/images/${imageId}/annotations`);
        const set = (await r.json()) as AnnotationSet;
        const ids = new Set(set.annotations.map((a) => a.id));
        for (const ack of acks.filter((a) => a.imageId === imageId)) {
          expect(set.revision, `image ${imageId} on ${p.name}`).toBeGreaterThanOrEqual(ack.revision);
          for (const id of ack.ids)
            expect(ids.has(id), `acknowledged shape ${id} of image ${imageId} on ${p.name}`).toBe(true);
        }
      }
  }, 180_000);

  it("finishes on the other process an export whose process was killed mid-download", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    await ensureUp();
    const [a, b] = procs as [Proc, Proc];
    for (let i = 0; i < 4; i++)
      await uploadTo(
        a,
        `export-${i}.png`,
        await noise(400, 300).png({ compressionLevel: 0 }).toBuffer(),
        projectId,
      );
    const started = await api(a, `/projects/${projectId}/export?format=coco&images=include`);
    expect(started.status).toBe(200);
    const reader = started.body?.getReader();
    await reader?.read();
    await kill(a);
    // What the dead process was sending ends in an error or short, never as a complete zip.
    await (async () => {
      for (;;) if ((await reader?.read())?.done) break;
    })().catch(() => undefined);
    const retried = await api(b, `/projects/${projectId}/export?format=coco&images=include`);
    expect(retried.status).toBe(200);
    const files = await unzip(Buffer.from(await retried.arrayBuffer()));
    const manifest = JSON.parse(files.get("manifest.json")?.toString("utf8") ?? "{}") as {
      images: unknown[];
    };
    const { total } = (await anyJson<{ counts: { total: number } }>(`/projects/${projectId}/images?limit=1`))
      .counts;
    expect(manifest.images).toHaveLength(total);
    await start(a);
  }, 180_000);

  it("finishes on the other process a tile job whose process was killed", async (ctx) => {
    if (skipReason) ctx.skip(skipReason);
    await ensureUp();
    const [a, b] = procs as [Proc, Proc];
    const id = await uploadTo(
      a,
      "tiled.png",
      await noise(1500, 1000).png({ compressionLevel: 1 }).toBuffer(),
      projectId,
    );
    await kill(a);
    const deadline = Date.now() + 60_000;
    let state = "";
    while (Date.now() < deadline) {
      const r = await api(b, `/images/${id}`);
      state = ((await r.json()) as { tiles: { state: string } }).tiles.state;
      if (state === "ready") break;
      await sleep(250);
    }
    expect(state, "the tile job of the killed process, taken over by the other").toBe("ready");
    const tile = await api(b, `/images/${id}/tiles/0/0/0`);
    expect(tile.status).toBe(200);
    await start(a);
  }, 180_000);
});
