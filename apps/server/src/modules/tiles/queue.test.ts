import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import pino from "pino";
import sharp from "sharp";
import request from "supertest";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Config, testConfig } from "../../config.js";
import { type DbConnection, openDb } from "../../db/connect.js";
import { migrateDb } from "../../db/migrate.js";
import type { Database } from "../../db/schema.js";
import { originalKey } from "../../storage/keys.js";
import { LocalStorage } from "../../storage/local-storage.js";
import { createProject, uploadImage } from "../../test-support/api.js";
import { listFiles, makeTestApp, TEST_BACKEND } from "../../test-support/app.js";
import { migratedTemplate } from "../../test-support/postgres.js";
import { WORK_DIR_PREFIX } from "./generate.js";
import { createTileQueue, type TileQueue } from "./queue.js";
import { tileRepo } from "./repo.js";
import { readManifest } from "./store.js";

/**
 * The tile queue shared by several server processes (issue 14): jobs live in `tile_jobs` and are
 * taken under a lease. Each test runs on the suite's backend (LABELBENCH_TEST_BACKEND): two
 * connections to one database stand for two processes.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One migrated database of the suite's backend and a way to open more connections to it. */
const sharedDatabase = async (): Promise<{ connect: () => Promise<DbConnection>; dir: string }> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-tilequeue-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  let target: string;
  if (TEST_BACKEND === "sqlite") {
    target = path.join(dir, "labelbench.sqlite");
    const conn = await openDb(target);
    await migrateDb(conn);
    await conn.close();
  } else {
    const scratch = await migratedTemplate().then((t) => t.clone());
    cleanups.push(scratch.drop);
    target = scratch.url;
  }
  return {
    dir,
    connect: async () => {
      const conn = await openDb(target, { poolSize: 4 });
      cleanups.push(() => conn.close());
      return conn;
    },
  };
};

/** A project with one pending image of these bytes, its original in storage (what an upload leaves). */
const pendingImage = async (sql: Kysely<Database>, storage: LocalStorage, bytes: Buffer) => {
  const meta = await sharp(bytes).metadata();
  const sha = createHash("sha256").update(bytes).digest("hex");
  await storage.put(originalKey(sha), bytes);
  const now = new Date().toISOString();
  const project = await sql
    .insertInto("projects")
    .values({ name: "p", created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  const image = await sql
    .insertInto("images")
    .values({
      project_id: project.id,
      sha256: sha,
      file_name: "big.jpg",
      width: meta.width ?? 0,
      height: meta.height ?? 0,
      format: "jpeg",
      byte_size: bytes.length,
      tile_state: "pending",
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { sha, id: image.id };
};

/** Waits until `check` answers something, or fails after `ms`. */
const waitFor = async <T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 25_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** 24 MP of coarse noise: a pyramid pass of a few seconds, long enough to be caught in the middle. */
let bigJpeg: Buffer;
beforeAll(async () => {
  const noise = await sharp({
    create: {
      width: 1500,
      height: 1000,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 120, sigma: 50 },
    },
  })
    .png()
    .toBuffer();
  bigJpeg = await sharp(noise).resize(6000, 4000, { kernel: "nearest" }).jpeg({ quality: 80 }).toBuffer();
});

const lease = async (sql: Kysely<Database>, sha: string) =>
  sql.selectFrom("tile_jobs").selectAll().where("sha256", "=", sha).executeTakeFirst();

describe("tile jobs taken under a lease", () => {
  it("processes taking jobs at once never take the same one, and every job is taken", async () => {
    const db = await sharedDatabase();
    const conns = await Promise.all([db.connect(), db.connect()]);
    const shas = Array.from({ length: 120 }, (_, i) => createHash("sha256").update(String(i)).digest("hex"));
    const first = conns[0];
    if (!first) throw new Error("no connection");
    for (const sha of shas) await tileRepo(first.kysely, first.dialect).enqueue(sha, Date.now());
    // Two takers per connection (a pool of 4 each on PostgreSQL): four processes' worth of racing.
    const takers = conns.flatMap((c, i) => [`p${i}a`, `p${i}b`].map((name) => ({ name, c })));
    const takeAll = async ({ name, c }: { name: string; c: DbConnection }) => {
      const repo = tileRepo(c.kysely, c.dialect);
      const got: string[] = [];
      for (;;) {
        const now = Date.now();
        const job = await repo.claim(name, now, now + 60_000);
        if (!job) return got;
        got.push(job.sha256);
      }
    };
    const taken = await Promise.all(takers.map(takeAll));
    expect(taken.flat().sort()).toEqual([...shas].sort());
    const rows = await first.kysely.selectFrom("tile_jobs").select(["sha256", "leased_by"]).execute();
    const holder = new Map(rows.map((r) => [r.sha256, r.leased_by]));
    taken.forEach((got, i) => {
      for (const sha of got) expect(holder.get(sha)).toBe(takers[i]?.name);
    });
  });

  it("a live lease is not taken, one that ran out is; a renewal by the old holder then fails", async () => {
    const db = await sharedDatabase();
    const conn = await db.connect();
    const repo = tileRepo(conn.kysely, conn.dialect);
    const sha = "a".repeat(64);
    await repo.enqueue(sha, 0);
    await repo.enqueue(sha, 0); // queued once
    const t = 1_000_000;
    const job = await repo.claim("dead", t, t + 100);
    expect(job?.sha256).toBe(sha);
    expect(await repo.claim("other", t + 50, t + 150)).toBeNull();
    const taken = await repo.claim("other", t + 101, t + 200);
    expect(taken).toEqual(job);
    if (!job) return;
    expect(await repo.renew(job, "dead", t + 300)).toBe(false);
    expect(await repo.renew(job, "other", t + 300)).toBe(true);
    // The old holder's results are not written: the job is the new holder's to finish.
    expect(await repo.setReady(job, "dead", 512, 3)).toBeNull();
    expect(await repo.setReady(job, "other", 512, 3)).toBe(0);
    expect(await lease(conn.kysely, sha)).toBeUndefined();
  });
});

describe("a tile job whose process died", () => {
  const settings: Partial<Config> = { tileThresholdPixels: 1_000_000, tileLeaseMs: 1000 };

  it("is taken over by another queue once its lease runs out, and finishes there", async () => {
    const db = await sharedDatabase();
    const [one, two] = await Promise.all([db.connect(), db.connect()]);
    const storage = new LocalStorage(path.join(db.dir, "files"));
    const config = testConfig(db.dir, settings);
    const log = pino({ level: "silent" });
    const queues: TileQueue[] = [];
    cleanups.push(async () => {
      for (const q of queues) await q.stop();
    });
    const first = createTileQueue({ sql: one.kysely, dialect: one.dialect, storage, config, log });
    const second = createTileQueue({ sql: two.kysely, dialect: two.dialect, storage, config, log });
    queues.push(first, second);
    second.hold();
    first.start();
    second.start();
    const img = await pendingImage(one.kysely, storage, bigJpeg);
    first.generate(img.sha);

    // The first process is in the middle of the pyramid when it dies: its database connection
    // goes (no renewal, no release), and its worker stops at the next checkpoint.
    await waitFor("the first queue's progress", async () => {
      const row = await two.kysely
        .selectFrom("images")
        .select("tile_progress")
        .where("id", "=", img.id)
        .executeTakeFirstOrThrow();
      return row.tile_progress > 0;
    });
    const left = await lease(two.kysely, img.sha);
    expect(left?.leased_by).toBe(first.instance);
    expect(left?.lease_until ?? 0).toBeGreaterThan(Date.now());
    await one.close();
    await first.stop();

    second.release();
    await waitFor("the second queue to finish the pyramid", async () => {
      const row = await two.kysely
        .selectFrom("images")
        .select(["tile_state", "tile_levels"])
        .where("id", "=", img.id)
        .executeTakeFirstOrThrow();
      return row.tile_state === "ready" ? row : null;
    });
    // Taken over only once the lease had run out.
    expect(Date.now()).toBeGreaterThanOrEqual(left?.lease_until ?? 0);
    expect(await lease(two.kysely, img.sha)).toBeUndefined();
    expect((await readManifest(storage, img.sha))?.complete).toBe(true);
    expect(fs.readdirSync(storage.tempDir).filter((n) => n.startsWith(WORK_DIR_PREFIX))).toEqual([]);
  });

  it("is served by either app after another took it over (two apps over one database and storage)", async () => {
    const a = await makeTestApp(settings);
    cleanups.push(a.cleanup);
    // The second process: its own connection to the same database, the same storage.
    const b = await a.sibling();
    b.tiles.hold();
    const project = await createProject(a.app);
    const img = await uploadImage(a.app, project.id, { name: "big.jpg", data: bigJpeg });
    expect(img.tiles.state).toBe("pending");
    await waitFor("the first app's progress", async () => {
      const row = await a.sql
        .selectFrom("images")
        .select("tile_progress")
        .where("id", "=", img.id)
        .executeTakeFirstOrThrow();
      return row.tile_progress > 0;
    });
    const left = await lease(a.sql, img.sha256);
    expect(left?.leased_by).toBe(a.app.tiles.instance);
    expect(left?.lease_until ?? 0).toBeGreaterThan(Date.now());
    // The first app's process dies: its queue stops without giving the lease back (as a killed
    // process leaves it), so only the lease running out frees the job.
    await a.app.tiles.stop({ keepLease: true });

    b.tiles.release();
    await waitFor("the second app to finish the pyramid", async () => {
      const res = await request(b).get(`/api/v1/images/${img.id}`);
      return res.body?.tiles?.state === "ready";
    });
    expect(Date.now()).toBeGreaterThanOrEqual(left?.lease_until ?? 0);
    // The first process, restarted over the same database and storage, serves the tiles too.
    const restarted = await a.sibling();
    for (const app of [b, restarted]) {
      const tile = await request(app).get(`/api/v1/images/${img.id}/tiles/0/11/7`);
      expect(tile.status).toBe(200);
      expect(tile.headers["content-type"]).toBe("image/jpeg");
      const preview = await request(app).get(`/api/v1/images/${img.id}/preview`);
      expect(preview.status).toBe(200);
    }
    expect(listFiles(a.storage.tempDir).filter((f) => f.startsWith(WORK_DIR_PREFIX))).toEqual([]);
  });
});
