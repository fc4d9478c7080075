import fs from "node:fs";
import { type DbConnection, isPostgresUrl, openDb } from "../db/connect.js";
import { loadMigrations, migrationsDir } from "../db/database.js";
import { startDb } from "../db/migrate.js";
import { diffSchemas, schemaShape } from "../db/schema-shape.js";
import type { Storage } from "../storage/storage.js";
import {
  type AnyExecutor,
  appliedMigrations,
  deleteAll,
  foreignKeyOrder,
  inSnapshot,
  insertRows,
  keysOf,
  loose,
  referencedShas,
  resetSequences,
  type TableName,
  walkTable,
} from "./copy-repo.js";
import { type CopyProgress, copyObjects, listObjects, type StoredObject, statObjects } from "./objects.js";

/** One side of a move: a database (postgres:// URL or SQLite file) and the store its rows refer to. */
export interface MoveSide {
  database: string;
  storage: Storage;
}

export interface MoveOptions {
  from: MoveSide;
  to: MoveSide;
  /** Replace the rows of a target that holds other data; without it such a target is refused. */
  force?: boolean;
  /** Rows per read and per insert (default 500). */
  batchSize?: number;
  /** One line per step, for the operator. */
  log?: (line: string) => void;
  /** Runs after each object copied; a throw stops the move there (tests simulate an interruption). */
  afterObjectCopied?: (progress: CopyProgress) => void | Promise<void>;
}

export interface TableCheck {
  table: TableName;
  rows: number;
  hash: string;
}

export interface MoveReport {
  /** Every table of the source, with its row count and content hash; the target's are equal. */
  tables: TableCheck[];
  objects: StoredObject[];
  copied: CopyProgress;
  /** The target already held exactly these rows (a rerun): no row was written. */
  rowsAlreadyThere: boolean;
}

/** A move that cannot start, or whose result does not match its source: the message says which. */
export class MoveError extends Error {
  override name = "MoveError";
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The source must be at this build's schema: the copy writes its columns into a target migrated by this build. */
const checkSourceVersion = async (src: DbConnection): Promise<void> => {
  const known = loadMigrations(migrationsDir(src.dialect)).map((m) => m.version);
  const applied = await appliedMigrations(loose(src.kysely)).catch(() => null);
  if (applied === null)
    throw new MoveError(
      `the source ${src.label} is not a Labelbench database (it has no schema_migrations table)`,
    );
  if (applied.join() !== known.join())
    throw new MoveError(
      `the source ${src.label} has the migrations ${applied.join(", ") || "(none)"}, this Labelbench has ${known.join(", ")}: start the source's server once with this version (it migrates at start), then move`,
    );
};

const walkAll = async (
  db: AnyExecutor,
  order: TableName[],
  keys: Map<TableName, string[]>,
  batch: number,
) => {
  const out = new Map<TableName, TableCheck>();
  for (const table of order)
    out.set(table, { table, ...(await walkTable(db, table, keys.get(table) ?? [], batch)) });
  return out;
};

/**
 * Copies an installation (database rows and the stored objects they refer to) into another
 * database and store, then proves the copy: row counts and content hashes per table equal, every
 * object present with its size. The source is read in one snapshot and never written, so a live
 * server may keep running (what it writes after the snapshot is not copied). Objects are copied
 * first, skipping those already there, then all rows in one target transaction: an interrupted
 * move leaves no rows behind and its rerun copies only the objects still missing; a rerun after
 * success finds the rows equal and writes nothing.
 */
export const moveInstallation = async (opts: MoveOptions): Promise<MoveReport> => {
  const log = opts.log ?? (() => {});
  const batch = opts.batchSize ?? 500;
  // openDb would create a missing SQLite file: a typo must not become an empty source.
  if (!isPostgresUrl(opts.from.database) && !fs.existsSync(opts.from.database))
    throw new MoveError(`the source database ${opts.from.database} does not exist`);
  const src = await openDb(opts.from.database);
  let dst: DbConnection | undefined;
  try {
    log(`1/5 source ${src.label} (${src.dialect}): checking its schema version`);
    await checkSourceVersion(src);
    log(`    target ${opts.to.database.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@")}: migrating`);
    const started = await startDb(opts.to.database);
    dst = started.conn;
    const target = dst;
    if (started.applied.length > 0) log(`    applied the target's migrations ${started.applied.join(", ")}`);
    const [srcShape, dstShape] = await Promise.all([schemaShape(src), schemaShape(target)]);
    const drift = diffSchemas(srcShape, dstShape, ["source", "target"]);
    if (drift.length > 0)
      throw new MoveError(`the source and target schemas differ:\n  ${drift.join("\n  ")}`);
    const order = foreignKeyOrder(dstShape);
    const keys = keysOf(dstShape);

    return await inSnapshot(src.kysely, src.dialect, async (s) => {
      log(`2/5 reading ${order.length} tables from the source (one snapshot) and the target`);
      const source = await walkAll(s, order, keys, batch);
      const before = await walkAll(loose(target.kysely), order, keys, batch);
      const occupied = order.filter((t) => (before.get(t)?.rows ?? 0) > 0);
      const same = order.every(
        (t) => before.get(t)?.rows === source.get(t)?.rows && before.get(t)?.hash === source.get(t)?.hash,
      );
      const rowsAlreadyThere = occupied.length > 0 && same;
      if (rowsAlreadyThere)
        log("    the target already holds exactly the source's rows: no row will be written");
      else if (occupied.length > 0 && !opts.force)
        throw new MoveError(
          `the target database ${target.label} is not empty (${occupied.map((t) => `${t}: ${before.get(t)?.rows} rows`).join(", ")}) and differs from the source: pass --force to replace its rows`,
        );
      else if (occupied.length > 0)
        log(`    --force: the target's rows in ${occupied.length} tables will be replaced`);
      if ((source.get("dataset_imports")?.rows ?? 0) > 0)
        log(
          "    warning: the source has unfinished dataset imports; their staging files stay on the source machine, so the target resumes none of them",
        );

      const objects = await listObjects(opts.from.storage, await referencedShas(s));
      const total = objects.reduce((a, o) => a + o.size, 0);
      log(
        `3/5 copying ${objects.length} stored objects (${mb(total)}); those already in the target are skipped`,
      );
      let shown = 0;
      const copied = await copyObjects(opts.from.storage, opts.to.storage, objects, async (p) => {
        if (p.copied - shown >= 1000) {
          shown = p.copied;
          log(`    ${p.copied} copied, ${mb(p.bytes)}`);
        }
        await opts.afterObjectCopied?.(p);
      });
      log(`    ${copied.copied} copied (${mb(copied.bytes)}), ${copied.skipped} already there`);

      if (rowsAlreadyThere) log("4/5 rows: nothing to copy");
      else {
        log(`4/5 copying rows in one transaction, ${batch} at a time, in foreign-key order`);
        await target.kysely.transaction().execute(async (trx) => {
          const t = loose(trx);
          for (const table of [...occupied].reverse()) await deleteAll(t, table);
          for (const table of order) {
            const key = keys.get(table) ?? [];
            await walkTable(s, table, key, batch, (rows) => insertRows(t, table, key, rows));
            log(`    ${table}: ${source.get(table)?.rows} rows`);
          }
          await resetSequences(t, target.dialect);
        });
      }

      log("5/5 verifying: row counts and content hashes per table, stored objects and sizes");
      const problems: string[] = [];
      const after = await walkAll(loose(target.kysely), order, keys, batch);
      for (const table of order) {
        const a = source.get(table);
        const b = after.get(table);
        if (a?.rows !== b?.rows)
          problems.push(`${table}: the source has ${a?.rows} rows, the target ${b?.rows}`);
        else if (a?.hash !== b?.hash)
          problems.push(
            `${table}: ${a?.rows} rows on both sides, but their contents differ (sha256 ${a?.hash} vs ${b?.hash})`,
          );
      }
      const sizes = await statObjects(
        opts.to.storage,
        objects.map((o) => o.key),
      );
      const wrong = objects.filter((o) => sizes.get(o.key) !== o.size);
      for (const o of wrong.slice(0, 10))
        problems.push(
          `object ${o.key}: ${o.size} bytes in the source, ${sizes.get(o.key) ?? "missing"} in the target`,
        );
      if (wrong.length > 10) problems.push(`… and ${wrong.length - 10} more objects`);
      const versions = await appliedMigrations(loose(target.kysely));
      const known = loadMigrations(migrationsDir(src.dialect)).map((m) => m.version);
      if (versions.join() !== known.join())
        problems.push(`the target has the migrations ${versions.join(", ")}, the source ${known.join(", ")}`);
      if (problems.length > 0)
        throw new MoveError(`the target does not match the source:\n  ${problems.join("\n  ")}`);
      const rows = order.reduce((n, t) => n + (source.get(t)?.rows ?? 0), 0);
      log(
        `    equal: ${order.length} tables (${rows} rows, each table's sha256 the same), ${objects.length} objects (${mb(total)})`,
      );
      return { tables: order.map((t) => source.get(t) as TableCheck), objects, copied, rowsAlreadyThere };
    });
  } finally {
    await src.close().catch(() => undefined);
    await dst?.close().catch(() => undefined);
  }
};
