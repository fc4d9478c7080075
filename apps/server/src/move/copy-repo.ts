import { createHash } from "node:crypto";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Dialect } from "../db/connect.js";
import { type ColumnKind, type Database, TABLES } from "../db/schema.js";
import type { SchemaShape } from "../db/schema-shape.js";

/**
 * The SQL of the verified move. It walks every table of TABLES by name, so it speaks to Kysely
 * without the per-table types: the rows are copied as they are read, column by column, and what
 * makes them right is the verification afterwards (counts and content hashes on both sides).
 */
type Loose = Record<string, Record<string, unknown>>;
export type AnyExecutor = Kysely<Loose> | Transaction<Loose>;
export const loose = (k: Kysely<Database> | Transaction<Database>): AnyExecutor =>
  k as unknown as AnyExecutor;

export type TableName = keyof typeof TABLES;
export type Row = Record<string, unknown>;

/** schema_migrations is written by the target's own migration run, never copied. */
export const COPIED_TABLES = (Object.keys(TABLES) as TableName[]).filter((t) => t !== "schema_migrations");

const kinds = (table: TableName) => Object.entries(TABLES[table]) as [string, ColumnKind][];
/** Every column, in TABLES order (what the hash covers, computed ones included). */
export const columnsOf = (table: TableName): string[] => kinds(table).map(([c]) => c);
/** The columns an INSERT may name: generated ones are computed by the target itself. */
const writableColumns = (table: TableName): string[] =>
  kinds(table)
    .filter(([, k]) => k !== "computed")
    .map(([c]) => c);
/** The auto-assigned id column, whose sequence a PostgreSQL target must move past the copied ids. */
const idColumn = (table: TableName): string | undefined => kinds(table).find(([, k]) => k === "id")?.[0];

/** Primary keys from the migrated schema; a table without one is ordered by all its columns. */
export const keysOf = (shape: SchemaShape): Map<TableName, string[]> => {
  const out = new Map<TableName, string[]>();
  for (const t of COPIED_TABLES) {
    const s = shape.find((x) => x.name === t);
    if (!s) throw new Error(`the migrated schema has no table ${t}`);
    out.set(t, s.primaryKey.length > 0 ? s.primaryKey : writableColumns(t));
  }
  return out;
};

/**
 * The tables in foreign-key order (a table after every table it refers to), so inserting in this
 * order and deleting in the reverse never breaks a constraint.
 */
export const foreignKeyOrder = (shape: SchemaShape): TableName[] => {
  const deps = new Map<TableName, Set<string>>();
  for (const t of COPIED_TABLES) {
    const s = shape.find((x) => x.name === t);
    deps.set(t, new Set((s?.foreignKeys ?? []).map((f) => f.table).filter((x) => x !== t)));
  }
  const order: TableName[] = [];
  const placed = new Set<string>(["schema_migrations"]);
  while (order.length < COPIED_TABLES.length) {
    const ready = COPIED_TABLES.filter(
      (t) => !placed.has(t) && [...(deps.get(t) ?? [])].every((d) => placed.has(d)),
    );
    if (ready.length === 0) {
      const left = COPIED_TABLES.filter((t) => !placed.has(t));
      throw new Error(`the foreign keys between ${left.join(", ")} form a cycle: no order to copy them in`);
    }
    for (const t of ready) {
      order.push(t);
      placed.add(t);
    }
  }
  return order;
};

const ids = (names: string[]) => sql.join(names.map((n) => sql.ref(n)));

/**
 * One batch of a table in key order, after the row whose key is `after` (keyset paging: a row-value
 * comparison both dialects evaluate with the primary key's index, unlike OFFSET).
 */
export const readBatch = async (
  db: AnyExecutor,
  table: TableName,
  key: string[],
  after: unknown[] | null,
  limit: number,
): Promise<Row[]> => {
  const where =
    after === null ? sql`` : sql`WHERE (${ids(key)}) > (${sql.join(after.map((v) => sql`${v}`))})`;
  const r = await sql<Row>`SELECT ${ids(columnsOf(table))} FROM ${sql.table(table)} ${where}
    ORDER BY ${ids(key)} LIMIT ${limit}`.execute(db);
  return r.rows;
};

/**
 * Inserts copied rows with their ids. A row already there (by primary key) is overwritten: the
 * counters a trigger made while the images went in (image_status_counts) take the source's values.
 */
export const insertRows = async (
  db: AnyExecutor,
  table: TableName,
  key: string[],
  rows: Row[],
): Promise<void> => {
  if (rows.length === 0) return;
  const cols = writableColumns(table);
  const values = rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null])));
  const rest = cols.filter((c) => !key.includes(c));
  await db
    .insertInto(table)
    .values(values)
    .onConflict((oc) =>
      rest.length === 0
        ? oc.columns(key).doNothing()
        : oc.columns(key).doUpdateSet(Object.fromEntries(rest.map((c) => [c, sql.ref(`excluded.${c}`)]))),
    )
    .execute();
};

/** After copying ids, PostgreSQL's identity sequences must start past them (SQLite uses max(id) itself). */
export const resetSequences = async (db: AnyExecutor, dialect: Dialect): Promise<void> => {
  if (dialect !== "postgres") return;
  for (const table of Object.keys(TABLES) as TableName[]) {
    const id = idColumn(table);
    if (!id) continue;
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${id}),
      COALESCE((SELECT MAX(${sql.ref(id)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
  }
};

export const countRows = async (db: AnyExecutor, table: TableName): Promise<number> => {
  const r = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
};

export const deleteAll = async (db: AnyExecutor, table: TableName): Promise<void> => {
  await sql`DELETE FROM ${sql.table(table)}`.execute(db);
};

export const appliedMigrations = async (db: AnyExecutor): Promise<number[]> => {
  const r = await sql<{
    version: number | string;
  }>`SELECT version FROM schema_migrations ORDER BY version`.execute(db);
  return r.rows.map((x) => Number(x.version));
};

/**
 * Walks a table in key order, batch by batch, handing each batch to `each`; returns the row count
 * and a sha256 over every row's values in TABLES column order. Both dialects return the same
 * JavaScript values for the same data (db/schema.ts), so equal hashes mean equal contents.
 */
export const walkTable = async (
  db: AnyExecutor,
  table: TableName,
  key: string[],
  batch: number,
  each?: (rows: Row[]) => Promise<void>,
): Promise<{ rows: number; hash: string }> => {
  const h = createHash("sha256");
  const cols = columnsOf(table);
  let after: unknown[] | null = null;
  let n = 0;
  for (;;) {
    const rows = await readBatch(db, table, key, after, batch);
    if (rows.length === 0) break;
    for (const r of rows) h.update(`${JSON.stringify(cols.map((c) => r[c] ?? null))}\n`);
    n += rows.length;
    await each?.(rows);
    const last = rows[rows.length - 1] as Row;
    after = key.map((c) => last[c]);
    if (rows.length < batch) break;
  }
  return { rows: n, hash: h.digest("hex") };
};

/**
 * Runs `work` on one connection inside a read-only snapshot: every read sees the source as it was
 * at the first one, while a live server goes on writing (WAL on SQLite; REPEATABLE READ on
 * PostgreSQL). The snapshot is rolled back at the end; nothing is written to the source.
 */
export const inSnapshot = async <T>(
  k: Kysely<Database>,
  dialect: Dialect,
  work: (db: AnyExecutor) => Promise<T>,
): Promise<T> =>
  k.connection().execute(async (c) => {
    const db = loose(c);
    await (dialect === "postgres"
      ? sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
      : sql`BEGIN DEFERRED`
    ).execute(db);
    try {
      return await work(db);
    } finally {
      await sql`ROLLBACK`.execute(db).catch(() => undefined);
    }
  });

/** The sha256 of every stored file the rows refer to: images' bytes and the stored-file registry. */
export const referencedShas = async (db: AnyExecutor): Promise<string[]> => {
  const r = await sql<{ sha256: string }>`SELECT sha256 FROM images UNION SELECT sha256 FROM stored_files
    ORDER BY sha256`.execute(db);
  return r.rows.map((x) => x.sha256);
};
