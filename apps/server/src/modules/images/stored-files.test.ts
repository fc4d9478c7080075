import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema.js";
import { originalKey, thumbnailKey } from "../../storage/keys.js";
import { LocalStorage } from "../../storage/local-storage.js";
import { openProcessesDatabase, type ProcessesDatabase } from "../../test-support/app.js";
import { gate } from "../../test-support/gate.js";
import type { TileJobs } from "../tiles/queue.js";
import { createStoredFiles, DEAD_AFTER_MS, type StoredFiles, type StoredFilesHooks } from "./stored-files.js";

/**
 * Two server processes on one database and one store, as two connections (on PostgreSQL two
 * pools) and two instances of the rule: what one decides, the other must see, whatever the
 * interleaving.
 */
let dir: string;
let database: ProcessesDatabase;
let connections = 0;
let storage: LocalStorage;
const instances: StoredFiles[] = [];
const noTiles: TileJobs = { generate: () => {}, remove: () => {} };
const log = pino({ level: "silent" });

/** A "process"'s connection to the test's database (a pool of its own on PostgreSQL; see openProcessesDatabase). */
const connect = async (): Promise<Kysely<Database>> =>
  connections++ === 0 ? database.sql : database.connection();

const process_ = async (hooks: StoredFilesHooks = {}) => {
  const db = await connect();
  const files = createStoredFiles({ sql: db, storage, log, tiles: noTiles }, hooks);
  instances.push(files);
  return { db, files };
};

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-stored-"));
  database = await openProcessesDatabase({ poolSize: 3 });
  connections = 0;
  storage = new LocalStorage(path.join(dir, "files"));
});
afterEach(async () => {
  for (const f of instances.splice(0)) await f.stop();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SHA = "ab".repeat(32);
const putFiles = async (sha = SHA) => {
  await storage.put(originalKey(sha), Buffer.from("original"));
  await storage.put(thumbnailKey(sha), Buffer.from("thumbnail"));
};
const onDisk = (sha = SHA) =>
  [originalKey(sha), thumbnailKey(sha)].map((k) => fs.existsSync(storage.localPath(k)));
const addImageRow = async (db: Kysely<Database>, sha: string) => {
  const p = await db
    .insertInto("projects")
    .values({ name: "p", description: "", created_at: "", updated_at: "" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("images")
    .values({
      project_id: p.id,
      sha256: sha,
      file_name: "a.jpg",
      width: 1,
      height: 1,
      format: "jpeg",
      byte_size: 8,
      created_at: "",
      updated_at: "",
    })
    .execute();
};
const count = async (db: Kysely<Database>, table: "stored_files" | "file_claims") =>
  (await db.selectFrom(table).select("sha256").execute()).length;

describe("stored files across two server processes", () => {
  it("a claim taken in one process stops a deletion in the other; the release deletes", async () => {
    const one = await process_();
    const two = await process_();
    await Promise.all([one.files.ready, two.files.ready]);
    await one.files.claim(SHA, "upload-1");
    await putFiles();
    await two.files.collect([SHA]);
    expect(onDisk()).toEqual([true, true]);
    await one.files.release(["upload-1"], [SHA]);
    expect(onDisk()).toEqual([false, false]);
    expect(await count(one.db, "stored_files")).toBe(0);
  });

  it("a claim in one process waits for the other's deletion under way, then finds the files gone", async () => {
    const unlinking = gate();
    const one = await process_({ beforeUnlink: () => unlinking.pass() });
    const two = await process_();
    await putFiles();
    const deletion = one.files.collect([SHA]);
    await unlinking.arrived;
    let claimed = false;
    const claim = two.files.claim(SHA, "upload-2").then(() => {
      claimed = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(claimed).toBe(false);
    unlinking.open();
    await deletion;
    await claim;
    // The claimer sees what the deletion left (nothing) and puts the bytes again under its claim.
    expect(onDisk()).toEqual([false, false]);
    await putFiles();
    await one.files.collect([SHA]);
    expect(onDisk()).toEqual([true, true]);
  });

  it("a claim and a deletion started at once in two processes: a granted claim keeps its files (20 runs)", async () => {
    // What the claimer saw when its claim was granted, per run: files there must stay there.
    const seen: boolean[][] = [];
    const one = await process_();
    const two = await process_({
      afterClaim: async () => {
        seen.push(onDisk());
      },
    });
    await Promise.all([one.files.ready, two.files.ready]);
    for (let run = 0; run < 20; run++) {
      await putFiles();
      await Promise.all([one.files.collect([SHA]), two.files.claim(SHA, `upload-${run}`)]);
      const atClaim = seen[run];
      // Either the deletion finished first (nothing there; the claimer puts the bytes again) or
      // the claim came first and the deletion left everything.
      expect(
        [
          [true, true],
          [false, false],
        ],
        `run ${run}`,
      ).toContainEqual(atClaim);
      expect(onDisk(), `run ${run}`).toEqual(atClaim);
      await two.files.release([`upload-${run}`], [SHA]);
      expect(onDisk(), `run ${run}: released`).toEqual([false, false]);
    }
  });

  it("an image row keeps the files whoever collects", async () => {
    const one = await process_();
    const two = await process_();
    await putFiles();
    await one.files.claim(SHA, "u");
    await addImageRow(one.db, SHA);
    await one.files.release(["u"], [SHA]);
    await two.files.collect([SHA]);
    expect(onDisk()).toEqual([true, true]);
  });
});

describe("crash leftovers, reconciled at start", () => {
  const deadInstance = (db: Kysely<Database>, id: string) =>
    db
      .insertInto("server_instances")
      .values({ id, seen_at: Date.now() - DEAD_AFTER_MS - 1 })
      .execute();
  const deleting = (db: Kysely<Database>, sha: string, by: string) =>
    db.insertInto("stored_files").values({ sha256: sha, deleting_by: by, deleting_since: 1 }).execute();

  it("finishes a deletion a dead process left half done, and drops its claims", async () => {
    const db = await connect();
    const other = "cd".repeat(32);
    await putFiles();
    await putFiles(other);
    await deadInstance(db, "crashed");
    await deleting(db, SHA, "crashed");
    // Crashed between putting `other` and committing its row: only its claim refers to it.
    await db.insertInto("stored_files").values({ sha256: other }).execute();
    await db
      .insertInto("file_claims")
      .values({ sha256: other, owner: "x", instance: "crashed", created_at: 1 })
      .execute();
    const restarted = await process_();
    await restarted.files.ready;
    expect(onDisk()).toEqual([false, false]);
    expect(onDisk(other)).toEqual([false, false]);
    expect(await count(db, "stored_files")).toBe(0);
    expect(await count(db, "file_claims")).toBe(0);
  });

  it("keeps what a row references and what a live process claims", async () => {
    const live = await process_();
    const other = "cd".repeat(32);
    await putFiles();
    await putFiles(other);
    await addImageRow(live.db, SHA);
    await live.db.insertInto("stored_files").values({ sha256: SHA }).execute();
    await live.files.claim(other, "in-flight");
    const started = await process_();
    await started.files.ready;
    expect(onDisk()).toEqual([true, true]);
    expect(onDisk(other)).toEqual([true, true]);
  });

  it("a claimer takes over the deletion of a dead process instead of waiting for it", async () => {
    const { db, files } = await process_();
    await files.ready;
    await putFiles();
    await deadInstance(db, "crashed");
    await deleting(db, SHA, "crashed");
    await files.claim(SHA, "u");
    expect(onDisk()).toEqual([false, false]);
    expect(
      await db.selectFrom("stored_files").select("deleting_by").where("sha256", "=", SHA).execute(),
    ).toEqual([{ deleting_by: null }]);
  });
});
