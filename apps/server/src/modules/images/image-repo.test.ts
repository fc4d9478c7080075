import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbConnection, openDb } from "../../db/connect.js";
import { migrate, openDatabase } from "../../db/database.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { migratedTemplate, type ScratchDatabase } from "../../test-support/postgres.js";
import { imageRepo, type NewImage } from "./repo.js";

/** Image rows on the suite's backend, below the API (which needs every module on that backend). */
let dir: string;
let scratch: ScratchDatabase | null = null;
const conns: DbConnection[] = [];
let target: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-imgrepo-"));
  target = path.join(dir, "db.sqlite");
  if (TEST_BACKEND === "postgres") {
    scratch = await (await migratedTemplate()).clone();
    target = scratch.url;
  } else {
    const file = openDatabase(target);
    migrate(file);
    file.close();
  }
});
afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  await scratch?.drop();
  scratch = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

const connect = async () => {
  const c = await openDb(target, { poolSize: 2 });
  conns.push(c);
  return c;
};

const image = (projectId: number, sha: string): NewImage => ({
  projectId,
  sha256: sha,
  fileName: "a.png",
  width: 1,
  height: 1,
  channels: 3,
  format: "png",
  byteSize: 1,
  tileState: "none",
});

describe(`image rows on ${TEST_BACKEND}`, () => {
  it("an insert of bytes the project already holds answers null instead of failing", async () => {
    // Two processes' uploads of one file can both find no row and both insert (PostgreSQL runs
    // their transactions at once); the second must learn it is a duplicate, not fail with a 500.
    const c = await connect();
    const projectId = (
      await c.kysely
        .insertInto("projects")
        .values({ name: "p", description: "", created_at: "x", updated_at: "x" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const repo = imageRepo(c.kysely, c.dialect);
    const first = await repo.insert(image(projectId, "ab".repeat(32)), "x");
    expect(first).toEqual(expect.any(Number));
    expect(await repo.insert(image(projectId, "ab".repeat(32)), "y")).toBeNull();
    expect((await repo.bySha(projectId, "ab".repeat(32)))?.id).toBe(first);
  });
});
