import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createStage, STAGE_BATCH_ROWS } from "./stage-repo.js";

// The staging file is SQLite on either backend (the import worker's own file): these tests need
// no project database.
const dirs: string[] = [];
const stageFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-stage-"));
  dirs.push(dir);
  return path.join(dir, "stage.sqlite");
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const rowsIn = (file: string) =>
  new Database(file, { readonly: true })
    .prepare("SELECT image_seq, position, uid, label, geometry FROM rows ORDER BY image_seq, position")
    .raw(true)
    .all();

describe("staging file", () => {
  it("buffers rows in batches bounded by rows, and keeps every row, the last partial batch too", () => {
    const file = stageFile();
    const s = createStage(file);
    const n = 2 * STAGE_BATCH_ROWS + 3;
    const expected: unknown[][] = [];
    let most = 0;
    for (let i = 0; i < n; i++) {
      const row = [1 + Math.floor(i / 7), i % 7, `u${i}`, i % 3 === 0 ? -1 : 4, `{"type":"box","n":${i}}`];
      s.row(...(row as [number, number, string, number, string]));
      expected.push(row);
      most = Math.max(most, s.pendingRows);
    }
    expect(most).toBe(STAGE_BATCH_ROWS - 1);
    expect(s.pendingRows).toBe(3);
    s.close(true);
    expect(rowsIn(file)).toEqual(expected);
  });

  it("writes no row when dropped", () => {
    const file = stageFile();
    const s = createStage(file);
    for (let i = 0; i < STAGE_BATCH_ROWS + 1; i++) s.row(1, i, `u${i}`, 1, "{}");
    s.close(false);
    expect(rowsIn(file)).toEqual([]);
  });
});
