import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BulkResult, naturalSortKey } from "@labelbench/schema";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import { type Row, row } from "../report.js";
import { api, startServer } from "../server.js";

const PORT = 3471;
const TARGET_MS = 2_000;

/**
 * A project of `images` images (2 shapes each, a tag on every other one) straight into SQLite, plus
 * 100 images of a second project, so the selection by filter runs beside rows it must not touch.
 */
const generate = (images: number): { dir: string; labelId: number } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-bulk-"));
  const db = openDatabase(path.join(dir, "labelbench.sqlite"));
  migrate(db);
  db.pragma("synchronous = OFF");
  const now = "2026-01-01T00:00:00.000Z";
  let labelId = 0;
  db.transaction(() => {
    const project = (name: string) =>
      Number(
        db
          .prepare("INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)")
          .run(name, now, now).lastInsertRowid,
      );
    const pid = project("bulk-10k");
    const other = project("bystander");
    labelId = Number(
      db
        .prepare(
          "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, 'cat', 'cat', '#4e79a7', '1', 0, 'box,polygon')",
        )
        .run(pid).lastInsertRowid,
    );
    const insImg = db.prepare(
      `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, format, byte_size, status,
         annotation_count, revision, created_at, updated_at)
       VALUES (?, ?, ?, ?, 1280, 720, 'jpeg', 100000, 'in_progress', ?, 1, ?, ?)`,
    );
    const insAnn = db.prepare(
      `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
    );
    const insTag = db.prepare("INSERT INTO image_tags (image_id, label_id) VALUES (?, ?)");
    for (let i = 0; i < images; i++) {
      const name = `cam_${i % 4}/img_${String(i).padStart(6, "0")}.jpg`;
      const id = Number(
        insImg.run(pid, i.toString(16).padStart(64, "0"), name, naturalSortKey(name), 2, now, now)
          .lastInsertRowid,
      );
      for (let a = 0; a < 2; a++)
        insAnn.run(
          id,
          `a${i}_${a}`,
          labelId,
          JSON.stringify({ type: "box", x: 10 + a * 50, y: 10, width: 40, height: 30 }),
          a,
          now,
          now,
        );
      if (i % 2 === 0) insTag.run(id, labelId);
    }
    for (let i = 0; i < 100; i++) {
      const name = `other_${i}.jpg`;
      insImg.run(other, `f${i.toString(16).padStart(63, "0")}`, name, naturalSortKey(name), 0, now, now);
    }
  })();
  db.close();
  return { dir, labelId };
};

/**
 * Bulk actions on 10,000 images in one request each (issue 18), against the real server: tag
 * toggle, status, move to a folder (by filter), and a delete by ids after its preview.
 */
export const libraryBulk = async (_quick: boolean): Promise<Row[]> => {
  const images = 10_000;
  const data = generate(images);
  const s = await startServer({ port: PORT, dataDir: data.dir });
  const CASE = "library bulk action, 10k images in one request";
  try {
    const timed = async (what: string, body: unknown, expectChanged: number) => {
      const t0 = performance.now();
      const r = await api<BulkResult>(s, "POST", "/projects/1/images/bulk", body);
      const ms = performance.now() - t0;
      if (r.status !== 200)
        throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
      if (r.json.changed !== expectChanged)
        throw new Error(`${what} changed ${r.json.changed}, not ${expectChanged}`);
      return ms;
    };
    const ids = Array.from({ length: images }, (_, i) => i + 1);
    const rows: Row[] = [];
    const target = { max: TARGET_MS };
    rows.push(
      row(
        CASE,
        "toggle a tag (by filter)",
        await timed(
          "toggle",
          { filter: {}, action: { kind: "toggleTag", labelId: data.labelId } },
          images / 2,
        ),
        "ms",
        target,
      ),
    );
    rows.push(
      row(
        CASE,
        "set status (by ids)",
        await timed("status", { imageIds: ids, action: { kind: "setStatus", status: "done" } }, images),
        "ms",
        target,
      ),
    );
    rows.push(
      row(
        CASE,
        "move to a folder (by filter)",
        await timed(
          "move",
          { filter: { folder: "cam_1/" }, action: { kind: "move", folder: "moved/cam_1" } },
          images / 4,
        ),
        "ms",
        target,
      ),
    );
    const preview = await timed(
      "preview",
      { imageIds: ids, action: { kind: "delete" }, dryRun: true },
      images,
    );
    rows.push(row(CASE, "delete preview (by ids)", preview, "ms", target));
    rows.push(
      row(
        CASE,
        "delete 10k images + 20k annotations (by ids)",
        await timed(
          "delete",
          { imageIds: ids, action: { kind: "delete", confirm: { images, annotations: images * 2 } } },
          images,
        ),
        "ms",
        target,
      ),
    );
    return rows;
  } finally {
    await s.stop();
    fs.rmSync(data.dir, { recursive: true, force: true });
  }
};

export const libraryBulkCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "library-bulk", run: () => libraryBulk(quick) },
];
