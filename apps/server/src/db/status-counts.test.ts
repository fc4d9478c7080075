import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, migrate, openDatabase } from "./database.js";

/** The triggers of migration 0005 against the truth: a GROUP BY over the images themselves. */
let db: Db;
const now = "2026-01-01T00:00:00Z";
const stored = () =>
  db.prepare("SELECT project_id AS p, status, n FROM image_status_counts WHERE n > 0 ORDER BY 1, 2").all();
const truth = () =>
  db.prepare("SELECT project_id AS p, status, COUNT(*) AS n FROM images GROUP BY 1, 2 ORDER BY 1, 2").all();
const project = (name: string) =>
  Number(
    db
      .prepare("INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)")
      .run(name, now, now).lastInsertRowid,
  );
const image = (projectId: number, sha: string, status = "new") =>
  Number(
    db
      .prepare(
        `INSERT INTO images (project_id, sha256, file_name, width, height, format, byte_size, status, created_at, updated_at)
         VALUES (?, ?, ?, 10, 10, 'png', 1, ?, ?, ?)`,
      )
      .run(projectId, sha, `${sha}.png`, status, now, now).lastInsertRowid,
  );

beforeEach(() => {
  db = openDatabase(":memory:");
  migrate(db);
});
afterEach(() => db.close());

describe("image status counts", () => {
  it("follow inserts, status changes, deletes and project deletion", () => {
    const a = project("a");
    const b = project("b");
    const ids = ["1", "2", "3", "4"].map((s) => image(a, s));
    image(b, "5", "done");
    expect(stored()).toEqual(truth());

    db.prepare("UPDATE images SET status = 'done' WHERE id IN (?, ?)").run(ids[0], ids[1]);
    db.prepare("UPDATE images SET status = 'done' WHERE id = ?").run(ids[0]); // no change: no count moves
    db.prepare("UPDATE images SET file_name = 'x.png' WHERE id = ?").run(ids[2]);
    expect(stored()).toEqual(truth());

    db.prepare("DELETE FROM images WHERE id = ?").run(ids[3]);
    expect(stored()).toEqual(truth());

    db.prepare("DELETE FROM projects WHERE id = ?").run(a);
    expect(stored()).toEqual(truth());
    expect(truth()).toEqual([{ p: b, status: "done", n: 1 }]);
  });
});
