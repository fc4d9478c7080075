import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, migrate, openDatabase } from "../../db/database.js";
import { originalKey, thumbnailKey } from "../../storage/keys.js";
import { LocalStorage } from "../../storage/local-storage.js";
import type { TileJobs } from "../tiles/queue.js";
import { createStoredFiles, DEAD_AFTER_MS, type StoredFiles, type StoredFilesHooks } from "./stored-files.js";

/**
 * Two server processes on one database and one store, as two connections and two instances of
 * the rule: what one decides, the other must see, whatever the interleaving.
 */
let dir: string;
let file: string;
let storage: LocalStorage;
const dbs: Db[] = [];
const instances: StoredFiles[] = [];
const noTiles: TileJobs = { generate: () => {}, remove: () => {} };
const log = pino({ level: "silent" });

const process_ = (hooks: StoredFilesHooks = {}) => {
  const db = openDatabase(file);
  dbs.push(db);
  const files = createStoredFiles({ db, storage, log, tiles: noTiles }, hooks);
  instances.push(files);
  return { db, files };
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-stored-"));
  file = path.join(dir, "db.sqlite");
  const db = openDatabase(file);
  migrate(db);
  db.close();
  storage = new LocalStorage(path.join(dir, "files"));
});
afterEach(() => {
  for (const f of instances.splice(0)) f.stop();
  for (const db of dbs.splice(0)) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SHA = "ab".repeat(32);
const putFiles = async (sha = SHA) => {
  await storage.put(originalKey(sha), Buffer.from("original"));
  await storage.put(thumbnailKey(sha), Buffer.from("thumbnail"));
};
const onDisk = (sha = SHA) =>
  [originalKey(sha), thumbnailKey(sha)].map((k) => fs.existsSync(storage.localPath(k)));
const gate = () => {
  let open = () => {};
  let reach = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const arrived = new Promise<void>((r) => {
    reach = r;
  });
  return {
    open,
    arrived,
    pass: () => {
      reach();
      return opened;
    },
  };
};
const addImageRow = (db: Db, sha: string) => {
  const p = db
    .prepare("INSERT INTO projects (name, description, created_at, updated_at) VALUES ('p', '', '', '')")
    .run();
  db.prepare(
    `INSERT INTO images (project_id, sha256, file_name, width, height, format, byte_size, created_at, updated_at)
     VALUES (?, ?, 'a.jpg', 1, 1, 'jpeg', 8, '', '')`,
  ).run(p.lastInsertRowid, sha);
};

describe("stored files across two server processes", () => {
  it("a claim taken in one process stops a deletion in the other; the release deletes", async () => {
    const one = process_();
    const two = process_();
    await Promise.all([one.files.ready, two.files.ready]);
    await one.files.claim(SHA, "upload-1");
    await putFiles();
    await two.files.collect([SHA]);
    expect(onDisk()).toEqual([true, true]);
    await one.files.release(["upload-1"], [SHA]);
    expect(onDisk()).toEqual([false, false]);
    expect(one.db.prepare("SELECT COUNT(*) AS n FROM stored_files").get()).toEqual({ n: 0 });
  });

  it("a claim in one process waits for the other's deletion under way, then finds the files gone", async () => {
    const unlinking = gate();
    const one = process_({ beforeUnlink: () => unlinking.pass() });
    const two = process_();
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

  it("an image row keeps the files whoever collects", async () => {
    const one = process_();
    const two = process_();
    await putFiles();
    await one.files.claim(SHA, "u");
    addImageRow(one.db, SHA);
    await one.files.release(["u"], [SHA]);
    await two.files.collect([SHA]);
    expect(onDisk()).toEqual([true, true]);
  });
});

describe("crash leftovers, reconciled at start", () => {
  const deadInstance = (db: Db, id: string) =>
    db
      .prepare("INSERT INTO server_instances (id, seen_at) VALUES (?, ?)")
      .run(id, Date.now() - DEAD_AFTER_MS - 1);

  it("finishes a deletion a dead process left half done, and drops its claims", async () => {
    const db = openDatabase(file);
    dbs.push(db);
    const other = "cd".repeat(32);
    await putFiles();
    await putFiles(other);
    deadInstance(db, "crashed");
    db.prepare("INSERT INTO stored_files (sha256, deleting_by, deleting_since) VALUES (?, 'crashed', 1)").run(
      SHA,
    );
    // Crashed between putting `other` and committing its row: only its claim refers to it.
    db.prepare("INSERT INTO stored_files (sha256) VALUES (?)").run(other);
    db.prepare(
      "INSERT INTO file_claims (sha256, owner, instance, created_at) VALUES (?, 'x', 'crashed', 1)",
    ).run(other);
    const restarted = process_();
    await restarted.files.ready;
    expect(onDisk()).toEqual([false, false]);
    expect(onDisk(other)).toEqual([false, false]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM stored_files").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM file_claims").get()).toEqual({ n: 0 });
  });

  it("keeps what a row references and what a live process claims", async () => {
    const live = process_();
    const other = "cd".repeat(32);
    await putFiles();
    await putFiles(other);
    addImageRow(live.db, SHA);
    live.db.prepare("INSERT INTO stored_files (sha256) VALUES (?)").run(SHA);
    await live.files.claim(other, "in-flight");
    const started = process_();
    await started.files.ready;
    expect(onDisk()).toEqual([true, true]);
    expect(onDisk(other)).toEqual([true, true]);
  });

  it("a claimer takes over the deletion of a dead process instead of waiting for it", async () => {
    const { db, files } = process_();
    await files.ready;
    await putFiles();
    deadInstance(db, "crashed");
    db.prepare("INSERT INTO stored_files (sha256, deleting_by, deleting_since) VALUES (?, 'crashed', 1)").run(
      SHA,
    );
    await files.claim(SHA, "u");
    expect(onDisk()).toEqual([false, false]);
    expect(db.prepare("SELECT deleting_by FROM stored_files WHERE sha256 = ?").get(SHA)).toEqual({
      deleting_by: null,
    });
  });
});
