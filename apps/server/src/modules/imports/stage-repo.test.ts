import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  createStage,
  remoteStage,
  STAGE_BATCH_ROWS,
  type StageOp,
  type StageWriter,
  stageWriter,
} from "./stage-repo.js";

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

  it("written through a remote stage (the worker's side, the main thread's writer), holds what a direct write holds", () => {
    const write = (s: StageWriter) => {
      for (let i = 0; i < 3 * STAGE_BATCH_ROWS + 7; i++)
        s.row(
          1 + Math.floor(i / 9),
          i % 9,
          `u${i}\ttab`,
          i % 4 === 0 ? -1 : 2,
          `{"n":${i}}`,
          i % 5 === 0 ? '{"a":1}' : null,
        );
      s.label(-1, "truck");
      for (let seq = 1; seq <= 1200; seq++)
        s.image({
          seq,
          imageId: seq % 2 ? seq : null,
          image: null,
          rows: seq % 9,
          tags: seq % 3 ? null : [2, -1],
        });
      s.close(true);
    };
    const direct = stageFile();
    write(createStage(direct));
    const remote = stageFile();
    const writer = stageWriter(remote);
    const sent: StageOp[] = [];
    // Each op is cloned on its way, as postMessage does.
    write(remoteStage((op) => sent.push(structuredClone(op))));
    for (const op of sent) writer.apply(op);
    expect(writer.finish()).toBeNull();
    // Rows went in batches, images in a few messages, not one message each.
    expect(sent.filter((o) => o.op === "rows").length).toBe(4);
    expect(sent.filter((o) => o.op === "images").length).toBe(3);
    const dump = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return ["rows", "images", "labels"].map((t) =>
          db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw(true).all(),
        );
      } finally {
        db.close();
      }
    };
    expect(dump(remote)).toEqual(dump(direct));
  });

  it("a remote stage that is dropped, or whose worker never closed it, keeps no row; a failed write is given at the end", () => {
    const dropped = stageFile();
    const writer = stageWriter(dropped);
    const s = remoteStage((op) => writer.apply(structuredClone(op)));
    for (let i = 0; i < STAGE_BATCH_ROWS * 2; i++) s.row(1, i, `u${i}`, 1, "{}");
    s.close(false);
    expect(writer.finish()).toBeNull();
    expect(rowsIn(dropped)).toEqual([]);

    const abandoned = stageFile();
    const w2 = stageWriter(abandoned);
    const s2 = remoteStage((op) => w2.apply(structuredClone(op)));
    for (let i = 0; i < STAGE_BATCH_ROWS; i++) s2.row(1, i, `u${i}`, 1, "{}");
    expect(w2.finish()).toBeNull();
    expect(rowsIn(abandoned)).toEqual([]);

    const w3 = stageWriter(path.join(stageFile(), "no-such-folder", "stage.sqlite"));
    const s3 = remoteStage((op) => w3.apply(op));
    for (let i = 0; i < STAGE_BATCH_ROWS; i++) s3.row(1, i, `u${i}`, 1, "{}");
    s3.close(true);
    expect(String(w3.finish())).toMatch(/directory does not exist|unable to open/);
  });
});
