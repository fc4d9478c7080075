import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { naturalSortKey, type ReviewQueuePage } from "@labelbench/schema";
import { migrate, openDatabase } from "../../apps/server/src/db/database.js";
import { rng } from "../random.js";
import { percentile, type Row, row } from "../report.js";
import { api, type RunningServer, startServer } from "../server.js";

const PORT = 3461;
const ANNOTATORS = 10;
const TARGET_P99_MS = 100;

/**
 * A project of `images` images (2 shapes each) straight into SQLite, of which 30 % are submitted
 * and pending review, by 10 annotators, a second apart, a fifth of them on their second attempt and
 * a tenth with open issues; the rest are in progress or done. Returns the data dir.
 */
const generate = (
  images: number,
): { dir: string; labelIds: number[]; annotatorIds: number[]; start: string } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-review-"));
  const db = openDatabase(path.join(dir, "labelbench.sqlite"));
  migrate(db);
  db.pragma("synchronous = OFF");
  const r = rng(15);
  const now = "2026-01-01T00:00:00.000Z";
  const t0 = Date.parse("2026-01-02T00:00:00.000Z");
  const labelIds: number[] = [];
  const annotatorIds: number[] = [];
  db.transaction(() => {
    const pid = Number(
      db
        .prepare(
          "INSERT INTO projects (name, description, created_at, updated_at, review_mode) VALUES ('review-100k', '', ?, ?, 'all')",
        )
        .run(now, now).lastInsertRowid,
    );
    for (const [i, name] of ["car", "person", "bicycle", "dog", "traffic light"].entries())
      labelIds.push(
        Number(
          db
            .prepare(
              "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, '#4e79a7', NULL, ?, 'box,polygon')",
            )
            .run(pid, name, name, i).lastInsertRowid,
        ),
      );
    for (let a = 0; a < ANNOTATORS; a++) {
      const id = Number(
        db
          .prepare(
            "INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at) VALUES (?, ?, 'annotator', '!', 1, ?, ?)",
          )
          .run(`annotator${a}@example.com`, `Annotator ${a}`, now, now).lastInsertRowid,
      );
      annotatorIds.push(id);
      db.prepare("INSERT INTO project_members (project_id, user_id, added_at) VALUES (?, ?, ?)").run(
        pid,
        id,
        now,
      );
    }
    const insImg = db.prepare(
      `INSERT INTO images (project_id, sha256, file_name, name_key, width, height, format, byte_size, status,
         annotation_count, revision, created_at, updated_at, review_state, attempt, submitted_by, submitted_at,
         submitted_revision, assignee_id, assigned_via, unresolved_issues)
       VALUES (?, ?, ?, ?, 1280, 720, 'jpeg', 100000, ?, 2, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insAnn = db.prepare(
      `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
    );
    let submitted = 0;
    for (let i = 0; i < images; i++) {
      const name = `img_${String(i).padStart(6, "0")}.jpg`;
      const pending = i % 10 === 1 || i % 10 === 4 || i % 10 === 7;
      const by = annotatorIds[Math.floor(r() * ANNOTATORS)] ?? null;
      const at = pending ? new Date(t0 + submitted++ * 1000).toISOString() : null;
      const imageId = Number(
        insImg.run(
          pid,
          i.toString(16).padStart(64, "0"),
          name,
          naturalSortKey(name),
          pending ? "done" : i % 3 === 0 ? "new" : "in_progress",
          now,
          now,
          pending ? "pending" : "none",
          pending ? (r() < 0.2 ? 2 : 1) : 0,
          pending ? by : null,
          at,
          pending ? 3 : null,
          pending ? by : null,
          pending ? "manager" : null,
          pending && r() < 0.1 ? 1 : 0,
        ).lastInsertRowid,
      );
      for (let a = 0; a < 2; a++)
        insAnn.run(
          imageId,
          `a${i}_${a}`,
          labelIds[Math.floor(r() * labelIds.length)] ?? labelIds[0],
          JSON.stringify({ type: "box", x: 10 + a * 50, y: 10, width: 40, height: 30 }),
          a,
          now,
          now,
        );
    }
  })();
  db.close();
  return { dir, labelIds, annotatorIds, start: new Date(t0).toISOString() };
};

/** Times `pages` consecutive pages of the queue with `query`, following the cursor. */
const walk = async (
  s: RunningServer,
  query: string,
  pages: number,
  from: string | null = null,
): Promise<number[]> => {
  const times: number[] = [];
  let cursor: string | null = from;
  for (let p = 0; p < pages; p++) {
    const t = performance.now();
    const res: { status: number; json: ReviewQueuePage } = await api<ReviewQueuePage>(
      s,
      "GET",
      `/projects/1/review-queue?limit=50${query}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    times.push(performance.now() - t);
    if (res.status !== 200)
      throw new Error(`review queue answered ${res.status}: ${JSON.stringify(res.json)}`);
    cursor = res.json.nextCursor;
    if (!cursor) cursor = null;
  }
  return times;
};

/**
 * The review queue of a 100k-image project with 30k submissions pending (issue 15): pages of 50,
 * oldest submission first, from the start and deep (a cursor 20 pages in), unfiltered and with
 * each filter; p50 and p99 of the round trip against the real server.
 */
export const reviewQueue = async (quick: boolean): Promise<Row[]> => {
  const images = quick ? 10_000 : 100_000;
  const t0 = performance.now();
  const data = generate(images);
  process.stderr.write(
    `bench: review-queue data (${images} images) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const s = await startServer({ port: PORT, dataDir: data.dir });
  const CASE = `review queue: ${images / 1000}k images, ${(images * 0.3) / 1000}k pending`;
  try {
    const since = new Date(Date.parse(data.start) + images * 0.15 * 1000).toISOString();
    // A cursor half-way down the queue (the server's cursor: base64url JSON of [order, key, id]).
    const middle = Buffer.from(JSON.stringify(["submitted", since, 0])).toString("base64url");
    const variants: [string, string, string | null][] = [
      ["unfiltered", "", null],
      ["unfiltered, mid-queue", "", middle],
      ["annotator", `&annotatorId=${data.annotatorIds[3]}`, null],
      ["label", `&labelId=${data.labelIds[2]}`, null],
      ["open issues", "&openIssues=true", null],
      ["attempt 2", "&attempt=2", null],
      ["submitted since", `&submittedSince=${since}`, null],
    ];
    // Warm-up: the first requests pay for the statement caches and the page cache.
    await walk(s, "", 3);
    const rows: Row[] = [];
    const all: number[] = [];
    for (const [name, query, from] of variants) {
      const times: number[] = [];
      for (let round = 0; round < (quick ? 2 : 5); round++) times.push(...(await walk(s, query, 20, from)));
      all.push(...times);
      rows.push(row(CASE, `${name}: page p50`, percentile(times, 50), "ms"));
      rows.push(row(CASE, `${name}: page p99`, percentile(times, 99), "ms", { max: TARGET_P99_MS }));
    }
    rows.push(row(CASE, "all pages p99", percentile(all, 99), "ms", { max: TARGET_P99_MS }));
    return rows;
  } finally {
    await s.stop();
    fs.rmSync(data.dir, { recursive: true, force: true });
  }
};

export const reviewQueueCases = (quick: boolean): { name: string; run: () => Promise<Row[]> }[] => [
  { name: "review-queue", run: () => reviewQueue(quick) },
];
