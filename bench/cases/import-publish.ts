import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { testConfig } from "../../apps/server/src/config.js";
import { openDb } from "../../apps/server/src/db/connect.js";
import { migrateDb } from "../../apps/server/src/db/migrate.js";
import { commitImport, publishImport } from "../../apps/server/src/modules/imports/import-publish.js";
import { createStage } from "../../apps/server/src/modules/imports/stage-repo.js";
import { backends, benchDatabaseUrl } from "../backends.js";
import { type Row, row } from "../report.js";

/**
 * An import's publishing alone (commit + publish of a staging file, below HTTP), SQLite and, when
 * the bench has a PostgreSQL server (bench/backends.ts), PostgreSQL side by side: the part of an
 * import that differs per backend (decoding is the same worker on both).
 * 100k new images with 10 boxes each (1M annotations); BENCH_QUICK=1: 10k images.
 */
const NOW = "2026-01-01T00:00:00.000Z";

const stageFile = (dir: string, images: number, perImage: number): string => {
  const file = path.join(dir, "stage.sqlite");
  const s = createStage(file);
  for (let seq = 1; seq <= images; seq++) {
    s.image({
      seq,
      imageId: null,
      image: {
        sha256: seq.toString(16).padStart(64, "0"),
        fileName: `img-${seq}.jpg`,
        width: 640,
        height: 480,
        channels: 3,
        format: "jpeg",
        byteSize: 50_000,
        tileState: "none",
      },
      rows: perImage,
      tags: null,
    });
    for (let i = 0; i < perImage; i++)
      s.row(
        seq,
        i,
        `${seq}-${i}`,
        i % 2 === 0 ? 1 : -1,
        `{"type":"box","x":${i * 10},"y":${i * 5},"width":20,"height":15}`,
      );
  }
  s.close(true);
  return file;
};

const publishOn = async (target: string, dir: string, stage: string, images: number) => {
  const conn = await openDb(target);
  try {
    await migrateDb(conn);
    const sql = conn.kysely;
    const projectId = (
      await sql
        .insertInto("projects")
        .values({ name: "bench", created_at: NOW, updated_at: NOW })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const car = (
      await sql
        .insertInto("labels")
        .values({
          project_id: projectId,
          name: "car",
          name_key: "car",
          color: "#ff0000",
          hotkey: null,
          position: 0,
          shape_types: "box,polygon",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    if (car !== 1) throw new Error("the staged rows name label 1");
    const file = path.join(dir, `stage-${conn.dialect}.sqlite`);
    fs.copyFileSync(stage, file);
    const deps = {
      db: conn.sqlite as NonNullable<typeof conn.sqlite>,
      sql,
      dialect: conn.dialect,
      ...(conn.dialect === "postgres" ? { pgPool: conn.pool } : {}),
      config: testConfig(dir),
      log: pino({ level: "silent" }),
    };
    const t0 = performance.now();
    const { importId } = await commitImport(deps, {
      projectId,
      stageFile: file,
      existing: "replace",
      actor: null,
      now: NOW,
      images,
      usedLabelIds: [car],
      createdLabels: [{ ref: -1, name: "bus", scope: "shapes", attributes: [] }],
      extendedLabels: [],
    });
    await publishImport(deps, importId);
    return (performance.now() - t0) / 1000;
  } finally {
    await conn.close();
  }
};

const scratchPostgres = async (base: string) => {
  const name = `lbbench_${process.pid}_${Date.now()}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
};

export const importPublishCases = (quick: boolean) => [
  {
    name: "import-publish",
    run: async (): Promise<Row[]> => {
      const images = quick ? 10_000 : 100_000;
      const perImage = 10;
      const label = `${images / 1000}k images / ${(images * perImage) / 1e6}M annotations`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-bench-publish-"));
      try {
        const stage = stageFile(dir, images, perImage);
        const c = `import publish, ${label}`;
        const rows: Row[] = [];
        if (backends.includes("sqlite"))
          rows.push({
            ...row(c, "time", await publishOn(path.join(dir, "db.sqlite"), dir, stage, images), "s"),
            backend: "sqlite",
          });
        const base = benchDatabaseUrl();
        if (base && backends.includes("postgres")) {
          const scratch = await scratchPostgres(base);
          try {
            rows.push({
              ...row(c, "time", await publishOn(scratch.url, dir, stage, images), "s"),
              backend: "postgres",
            });
          } finally {
            await scratch.drop();
          }
        }
        return rows;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
