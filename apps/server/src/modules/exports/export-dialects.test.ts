import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { planExport } from "@labelbench/formats";
import express from "express";
import type { Kysely } from "kysely";
import type pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dialect, openDb, sqliteKysely } from "../../db/connect.js";
import { type Db, migrate, openDatabase } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { errorHandler } from "../../http/errors.js";
import { originalKey } from "../../storage/keys.js";
import { LocalStorage } from "../../storage/local-storage.js";
import { png } from "../../test-support/images.js";
import { startPgReaderThread } from "../../test-support/pg-export-reader.js";
import { migratedTemplate, SKIP_POSTGRES_REASON, TEST_DATABASE_URL } from "../../test-support/postgres.js";
import { pythonZipCheck, unzip } from "../../test-support/zips.js";
import { type ExportDeps, exportDataset } from "./export.js";
import { pgExportReader } from "./export-pg-bridge.js";
import { Slots } from "./export-slots.js";
import { openSnapshotAt, sqliteExportReader } from "./repo.js";

/**
 * The same project in a SQLite file and in a PostgreSQL database gives the same export, byte for
 * byte: same manifest hashes, same zip. The rows are written straight into both databases (the same
 * inserts through Kysely, so the ids match), shaped to catch what one dialect's reader gets wrong
 * and the other's does not: more images than one read batch, an image with more shapes than one
 * cursor fetch, shapes stored out of drawing order and two at one position (the tie broken by
 * id), images without shapes, tags, statuses left out by the filter, and unicode.
 */

const IMAGES = 600;
const DENSE_SHAPES = 9_000;

interface Side {
  dialect: Dialect;
  sql: Kysely<Database>;
  sqlite?: Db;
  url?: string;
  pool?: pg.Pool;
  close: () => Promise<void>;
}

const seed = async (sql: Kysely<Database>, files: { sha256: string; width: number; height: number }[]) => {
  const at = "2026-01-01T00:00:00.000Z";
  const project = await sql
    .insertInto("projects")
    .values({ name: "Straße 1", created_at: at, updated_at: at })
    .returning("id")
    .executeTakeFirstOrThrow();
  const labelIds: number[] = [];
  for (const [i, name] of ["car", "hot dog", "日本語 ラベル"].entries()) {
    const l = await sql
      .insertInto("labels")
      .values({
        project_id: project.id,
        name,
        name_key: name,
        color: "#ff0000",
        position: 2 - i,
        shape_types: '["box","polygon"]',
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    labelIds.push(l.id);
  }
  const statuses = ["new", "in_progress", "done", "skipped"] as const;
  const images = [];
  for (let i = 0; i < IMAGES; i++) {
    const f = files[i % files.length] as (typeof files)[number];
    images.push({
      project_id: project.id,
      sha256: f.sha256,
      file_name: `dir ${i % 7}/bild ${String(i).padStart(4, "0")}${i % 50 === 0 ? " ü" : ""}.png`,
      name_key: `bild ${i}`,
      width: f.width,
      height: f.height,
      format: "png",
      byte_size: 100 + i,
      status: statuses[i % 4] as string,
      created_at: at,
      updated_at: at,
    });
  }
  const imageIds: number[] = [];
  for (let i = 0; i < images.length; i += 200) {
    const rows = await sql
      .insertInto("images")
      .values(images.slice(i, i + 200))
      .returning("id")
      .execute();
    imageIds.push(...rows.map((r) => r.id));
  }
  const shapes = [];
  for (const [n, imageId] of imageIds.entries()) {
    const count = n === 2 ? DENSE_SHAPES : n % 5 === 0 ? 0 : 1 + (n % 9);
    for (let k = 0; k < count; k++) {
      const box = { type: "box", x: (k % 13) * 0.5, y: (k % 7) * 0.25, width: 1 + (k % 3), height: 1.5 };
      const polygon = {
        type: "polygon",
        points: [
          [1, 1],
          [4 + (k % 3), 1.5],
          [2.5, 5],
        ],
      };
      shapes.push({
        image_id: imageId,
        uid: `s${n}-${k}`,
        label_id: labelIds[(n + k) % 3] as number,
        geometry: JSON.stringify(k % 4 === 3 ? polygon : box),
        // Written in reverse drawing order, with one tie: the export orders by position, then id.
        position: k === 1 ? count - 1 : count - k,
        created_at: at,
        updated_at: at,
      });
    }
    if (n % 3 === 0)
      await sql
        .insertInto("image_tags")
        .values(labelIds.slice(0, 1 + (n % 2)).map((labelId) => ({ image_id: imageId, label_id: labelId })))
        .execute();
  }
  for (let i = 0; i < shapes.length; i += 1000)
    await sql
      .insertInto("annotations")
      .values(shapes.slice(i, i + 1000))
      .execute();
  return project.id;
};

const serve = async (deps: ExportDeps, projectId: number) => {
  const slots = new Slots();
  const app = express();
  app.get("/export", (req, res, next) => {
    exportDataset(
      deps,
      slots,
      projectId,
      {
        format: req.query.format === "yolo" ? "yolo" : req.query.format === "voc" ? "voc" : "coco",
        status: ["new", "in_progress", "done"],
        split: { train: 60, val: 30, test: 10 },
        seed: "dialects",
        images: req.query.images === "include" ? "include" : "exclude",
        review: "any",
      },
      res,
    ).catch(next);
  });
  app.use(errorHandler(deps.log));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    get: async (query: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/export?${query}`);
      expect(res.status, res.status === 200 ? "" : await res.text()).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

describe.skipIf(!TEST_DATABASE_URL)(
  `an export from PostgreSQL and from SQLite${TEST_DATABASE_URL ? "" : ` (${SKIP_POSTGRES_REASON})`}`,
  () => {
    let dir: string;
    let storage: LocalStorage;
    const sides: Side[] = [];
    const servers: Awaited<ReturnType<typeof serve>>[] = [];

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-export-dialects-"));
      storage = new LocalStorage(path.join(dir, "files"));
      // Each image its own file: a project holds a file once.
      const files = [];
      for (let i = 0; i < IMAGES; i++) {
        const [width, height] = [8 + (i % 5), 6 + (i % 7)];
        const data = await png({ width, height, seed: i + 1 });
        const sha256 = createHash("sha256").update(data).digest("hex");
        await storage.put(originalKey(sha256), data);
        files.push({ sha256, width, height });
      }
      const sqlite = openDatabase(path.join(dir, "labelbench.sqlite"));
      migrate(sqlite);
      const sqliteSql = sqliteKysely(sqlite);
      sides.push({ dialect: "sqlite", sql: sqliteSql, sqlite, close: () => sqliteSql.destroy() });
      const scratch = await migratedTemplate().then((t) => t.clone());
      const conn = await openDb(scratch.url, { poolSize: 4 });
      sides.push({
        dialect: "postgres",
        sql: conn.kysely,
        url: scratch.url,
        ...(conn.dialect === "postgres" ? { pool: conn.pool } : {}),
        close: async () => {
          await conn.close();
          await scratch.drop();
        },
      });
      const log = pino({ level: "silent" });
      for (const side of sides) {
        const projectId = await seed(side.sql, files);
        servers.push(
          await serve(
            {
              sql: side.sql,
              dialect: side.dialect,
              storage,
              log,
              ...(side.sqlite ? { db: side.sqlite } : {}),
              ...(side.pool ? { pgPool: side.pool } : {}),
            },
            projectId,
          ),
        );
      }
    }, 120_000);

    afterAll(async () => {
      for (const s of servers) await s.close();
      for (const s of sides) await s.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("COCO: the same manifest hashes and the same zip, byte for byte", async () => {
      const [fromSqlite, fromPostgres] = await Promise.all(
        servers.map((s) => s.get("format=coco&images=include")),
      );
      const [a, b] = [fromSqlite, fromPostgres] as [Buffer, Buffer];
      const manifest = async (zip: Buffer) => JSON.parse(String((await unzip(zip)).get("manifest.json")));
      const ma = await manifest(a);
      const mb = await manifest(b);
      expect(ma.files.length).toBeGreaterThan(3);
      expect(mb.files).toEqual(ma.files);
      expect(b.equals(a)).toBe(true);
      // The dense image came through several cursor fetches whole.
      const files = await unzip(b);
      const perImage = new Map<number, number>();
      for (const split of ["train", "val", "test"]) {
        const coco = JSON.parse(String(files.get(`annotations/instances_${split}.json`))) as {
          annotations: { image_id: number }[];
        };
        for (const x of coco.annotations) perImage.set(x.image_id, (perImage.get(x.image_id) ?? 0) + 1);
      }
      expect(Math.max(...perImage.values())).toBe(DENSE_SHAPES);
      expect(pythonZipCheck(b)).toBe("None");
    });

    it("reads one snapshot: rows written after the export began are not in it, on either dialect", async () => {
      for (const side of sides) {
        const statuses = ["new", "in_progress", "done", "skipped"] as const;
        const reader =
          side.dialect === "postgres"
            ? pgExportReader(startPgReaderThread(side.url as string, 1, statuses).channel)
            : sqliteExportReader(openSnapshotAt((side.sqlite as Db).name), 1, statuses);
        try {
          const labels = reader.labels();
          const labelIndex = new Map(labels.map((l, i) => [l.id, i]));
          const at = "2026-02-02T00:00:00.000Z";
          // Written by another connection once the snapshot exists: a new image, a new shape on image 1.
          await side.sql
            .insertInto("images")
            .values({
              project_id: 1,
              sha256: "f".repeat(64),
              file_name: "late.png",
              width: 5,
              height: 5,
              format: "png",
              byte_size: 1,
              created_at: at,
              updated_at: at,
            })
            .execute();
          await side.sql
            .insertInto("annotations")
            .values({
              image_id: 1,
              uid: `late-${side.dialect}`,
              label_id: labels[0]?.id as number,
              geometry: '{"type":"box","x":0,"y":0,"width":1,"height":1}',
              position: 99,
              created_at: at,
              updated_at: at,
            })
            .execute();
          const rows = reader.images(labelIndex);
          expect(rows, side.dialect).toHaveLength(IMAGES);
          const plan = planExport(rows, { train: 100, val: 0, test: 0 }, "s", "coco");
          const first = [...reader.items(plan, labelIndex)].find((item) => item.image.id === 1);
          expect(
            first?.shapes.map((x) => x.id),
            side.dialect,
          ).not.toContain(`late-${side.dialect}`);
        } finally {
          reader.close();
        }
        await side.sql.deleteFrom("annotations").where("uid", "=", `late-${side.dialect}`).execute();
        await side.sql.deleteFrom("images").where("file_name", "=", "late.png").execute();
      }
    });

    it("YOLO and VOC: the same bytes from both", async () => {
      for (const q of ["format=yolo&images=exclude", "format=voc&images=exclude"]) {
        const got: Buffer[] = [];
        for (const s of servers) got.push(await s.get(q));
        const [a, b] = got as [Buffer, Buffer];
        expect(b.equals(a), q).toBe(true);
      }
    }, 120_000);
  },
);
