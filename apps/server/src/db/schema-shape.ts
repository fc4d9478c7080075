import { sql } from "kysely";
import type { DbConnection } from "./connect.js";
import type { Db } from "./database.js";

/**
 * A migrated schema reduced to what both dialects must agree on, in terms both can state: the
 * schema-drift test compares SQLite's with PostgreSQL's, and the verified move can compare a source
 * with its target. Names of constraint-made indexes differ per engine (sqlite_autoindex_labels_1,
 * labels_project_id_name_key_key), so unique constraints are keyed by their columns instead.
 */
export type TypeClass = "integer" | "real" | "text" | `other:${string}`;

export interface ColumnShape {
  name: string;
  type: TypeClass;
  notNull: boolean;
  /** A DEFAULT clause (generated and auto-assigned ids are not defaults). */
  hasDefault: boolean;
  /** Computed from other columns (GENERATED ALWAYS AS). */
  generated: boolean;
  /** Assigned by the database when omitted: SQLite's INTEGER PRIMARY KEY, PostgreSQL's identity. */
  autoId: boolean;
}
export interface IndexShape {
  /** The index's name, or `unique(a, b)` for one a UNIQUE constraint makes. */
  name: string;
  columns: string[];
  unique: boolean;
  partial: boolean;
}
export interface ForeignKeyShape {
  columns: string[];
  table: string;
  to: string[];
  onDelete: string;
}
export interface TableShape {
  name: string;
  columns: ColumnShape[];
  primaryKey: string[];
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
  triggers: string[];
}
export type SchemaShape = TableShape[];

/** SQLite's type affinity rules, and PostgreSQL's integer, floating and text types, as one class. */
export const typeClass = (declared: string): TypeClass => {
  const t = declared.toLowerCase();
  if (/int/.test(t)) return "integer";
  if (/char|clob|text/.test(t)) return "text";
  if (/real|floa|doub/.test(t)) return "real";
  return `other:${t}`;
};

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const fkKey = (f: ForeignKeyShape) => `${f.columns.join(",")}>${f.table}`;
const sortShape = (tables: TableShape[]): SchemaShape =>
  tables
    .map((t) => ({
      ...t,
      columns: [...t.columns].sort(byName),
      indexes: [...t.indexes].sort(byName),
      foreignKeys: [...t.foreignKeys].sort((a, b) => (fkKey(a) < fkKey(b) ? -1 : 1)),
      triggers: [...t.triggers].sort(),
    }))
    .sort(byName);

const uniqueName = (columns: string[]) => `unique(${columns.join(", ")})`;

const sqliteShape = (db: Db): SchemaShape => {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  return sortShape(
    tables.map((table) => {
      const cols = db.prepare("SELECT * FROM pragma_table_xinfo(?)").all(table) as {
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
        hidden: number;
      }[];
      const indexList = db.prepare("SELECT * FROM pragma_index_list(?)").all(table) as {
        name: string;
        unique: number;
        origin: "c" | "u" | "pk";
        partial: number;
      }[];
      const primaryKey = cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      // A single INTEGER PRIMARY KEY of a rowid table is the rowid: it has no index of its own.
      const rowidAlias =
        primaryKey.length === 1 &&
        cols.find((c) => c.pk > 0)?.type.toUpperCase() === "INTEGER" &&
        !indexList.some((i) => i.origin === "pk");
      const indexColumns = (name: string) =>
        (
          db.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno").pluck().all(name) as string[]
        ).map((c) => c ?? "<expression>");
      const fks = db.prepare("SELECT * FROM pragma_foreign_key_list(?)").all(table) as {
        id: number;
        seq: number;
        table: string;
        from: string;
        to: string | null;
        on_delete: string;
      }[];
      const foreignKeys = [...new Set(fks.map((f) => f.id))].map((id) => {
        const parts = fks.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
        return {
          columns: parts.map((p) => p.from),
          table: parts[0]?.table ?? "",
          to: parts.map((p) => p.to ?? "<primary key>"),
          onDelete: parts[0]?.on_delete ?? "NO ACTION",
        };
      });
      return {
        name: table,
        columns: cols.map((c) => ({
          name: c.name,
          type: typeClass(c.type),
          // SQLite lets a non-integer PRIMARY KEY of a rowid table hold NULL (a legacy quirk); no
          // code writes one, and PostgreSQL's primary keys are NOT NULL.
          notNull: c.notnull === 1 || c.pk > 0,
          hasDefault: c.dflt_value !== null,
          generated: c.hidden === 2 || c.hidden === 3,
          autoId: rowidAlias && c.pk === 1,
        })),
        primaryKey,
        indexes: indexList
          .filter((i) => i.origin !== "pk")
          .map((i) => {
            const columns = indexColumns(i.name);
            return {
              name: i.origin === "u" ? uniqueName(columns) : i.name,
              columns,
              unique: i.unique === 1,
              partial: i.partial === 1,
            };
          }),
        foreignKeys,
        triggers: db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
          .pluck()
          .all(table) as string[],
      };
    }),
  );
};

const ON_DELETE: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/**
 * Foreign keys PostgreSQL enforces with statement triggers instead of constraints (0029: an
 * import's row-by-row checks cost more than its writes). The triggers' comments state the
 * references: on the referencing table `foreign key (a) references t(b) [on delete cascade]`, one
 * or more separated by `;`, and every trigger that helps enforce them (the referenced tables'
 * too) begins its comment with "foreign key". Those triggers are the foreign keys, not triggers of
 * the schema: SQLite states the same references as constraints.
 */
const DECLARED_REFERENCE =
  /^foreign key \(([\w, ]+)\) references (\w+)\(([\w, ]+)\)(?: on delete (cascade|restrict|set null|set default|no action))?$/;
export const triggerReferences = (
  triggers: readonly { name: string; comment: string | null }[],
): { triggers: { name: string }[]; references: ForeignKeyShape[] } => {
  const references = new Map<string, ForeignKeyShape>();
  const kept: { name: string }[] = [];
  for (const t of triggers) {
    const comment = t.comment?.trim() ?? "";
    if (!comment.startsWith("foreign key")) {
      kept.push({ name: t.name });
      continue;
    }
    for (const part of comment.split(";").map((p) => p.trim())) {
      const m = DECLARED_REFERENCE.exec(part);
      if (!m) continue;
      const split = (list: string | undefined) => (list ?? "").split(",").map((c) => c.trim());
      const ref: ForeignKeyShape = {
        columns: split(m[1]),
        table: m[2] ?? "",
        to: split(m[3]),
        onDelete: (m[4] ?? "no action").toUpperCase(),
      };
      references.set(fkKey(ref), ref);
    }
  }
  return { triggers: kept, references: [...references.values()] };
};

const postgresShape = async (conn: DbConnection): Promise<SchemaShape> => {
  const q = async <R>(query: ReturnType<typeof sql<R>>) => (await query.execute(conn.kysely)).rows;
  const tables = await q<{ oid: number; name: string }>(sql`
    SELECT c.oid::int AS oid, c.relname AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`);
  const shapes: TableShape[] = [];
  for (const { oid, name } of tables) {
    const cols = await q<{
      name: string;
      type: string;
      notnull: boolean;
      hasdef: boolean;
      identity: string;
      generated: string;
    }>(sql`
      SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS notnull,
        atthasdef AS hasdef, attidentity AS identity, attgenerated AS generated
      FROM pg_attribute WHERE attrelid = ${oid} AND attnum > 0 AND NOT attisdropped`);
    const constraints = await q<{
      type: string;
      columns: string[];
      ftable: string | null;
      fcolumns: string[] | null;
      ondelete: string;
    }>(sql`
      SELECT con.contype AS type,
        ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
        CASE WHEN con.contype = 'f' THEN con.confrelid::regclass::text END AS ftable,
        CASE WHEN con.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) END AS fcolumns,
        con.confdeltype AS ondelete
      FROM pg_constraint con WHERE con.conrelid = ${oid} AND con.contype IN ('p', 'u', 'f')`);
    const indexes = await q<{
      name: string;
      unique: boolean;
      partial: boolean;
      columns: (string | null)[];
    }>(sql`
      SELECT i.relname AS name, ix.indisunique AS unique, ix.indpred IS NOT NULL AS partial,
        ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o)
              LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o) AS columns
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
      WHERE ix.indrelid = ${oid} AND NOT EXISTS (SELECT 1 FROM pg_constraint c
        WHERE c.conrelid = ix.indrelid AND c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x'))`);
    const allTriggers = await q<{ name: string; comment: string | null }>(sql`
      SELECT tgname AS name, obj_description(oid, 'pg_trigger') AS comment
      FROM pg_trigger WHERE tgrelid = ${oid} AND NOT tgisinternal`);
    const { triggers, references } = triggerReferences(allTriggers);
    shapes.push({
      name,
      columns: cols.map((c) => ({
        name: c.name,
        type: typeClass(c.type),
        notNull: c.notnull,
        hasDefault: c.hasdef && c.generated === "",
        generated: c.generated !== "",
        autoId: c.identity !== "",
      })),
      primaryKey: constraints.find((c) => c.type === "p")?.columns ?? [],
      indexes: [
        ...constraints
          .filter((c) => c.type === "u")
          .map((c) => ({ name: uniqueName(c.columns), columns: c.columns, unique: true, partial: false })),
        ...indexes.map((i) => ({
          name: i.name,
          columns: i.columns.map((c) => c ?? "<expression>"),
          unique: i.unique,
          partial: i.partial,
        })),
      ],
      foreignKeys: [
        ...constraints
          .filter((c) => c.type === "f")
          .map((c) => ({
            columns: c.columns,
            table: c.ftable ?? "",
            to: c.fcolumns ?? [],
            onDelete: ON_DELETE[c.ondelete] ?? c.ondelete,
          })),
        ...references,
      ],
      triggers: triggers.map((t) => t.name),
    });
  }
  return sortShape(shapes);
};

/** The schema of an open, migrated database. */
export const schemaShape = async (conn: DbConnection): Promise<SchemaShape> =>
  conn.dialect === "sqlite" ? sqliteShape(conn.sqlite) : postgresShape(conn);

const show = (v: unknown) => JSON.stringify(v);

/** Every difference between two schemas, one readable line each (empty when they agree). */
export const diffSchemas = (
  a: SchemaShape,
  b: SchemaShape,
  names: [string, string] = ["a", "b"],
): string[] => {
  const out: string[] = [];
  const [an, bn] = names;
  const keyed = <T>(xs: T[], key: (x: T) => string) => new Map(xs.map((x) => [key(x), x]));
  const compare = <T>(where: string, xs: T[], ys: T[], key: (x: T) => string) => {
    const left = keyed(xs, key);
    const right = keyed(ys, key);
    for (const [k, x] of left) {
      const y = right.get(k);
      if (y === undefined) out.push(`${where}${k}: only in ${an}`);
      else if (show(x) !== show(y)) out.push(`${where}${k}: ${an} ${show(x)}, ${bn} ${show(y)}`);
    }
    for (const k of right.keys()) if (!left.has(k)) out.push(`${where}${k}: only in ${bn}`);
  };
  const ta = keyed(a, (t) => t.name);
  const tb = keyed(b, (t) => t.name);
  for (const [name, x] of ta) {
    const y = tb.get(name);
    if (!y) {
      out.push(`table ${name}: only in ${an}`);
      continue;
    }
    compare(`column ${name}.`, x.columns, y.columns, (c) => c.name);
    if (show(x.primaryKey) !== show(y.primaryKey))
      out.push(`primary key of ${name}: ${an} ${show(x.primaryKey)}, ${bn} ${show(y.primaryKey)}`);
    compare(`index on ${name}: `, x.indexes, y.indexes, (i) => i.name);
    compare(`foreign key of ${name}: `, x.foreignKeys, y.foreignKeys, fkKey);
    compare(`trigger on ${name}: `, x.triggers, y.triggers, (t) => t);
  }
  for (const name of tb.keys()) if (!ta.has(name)) out.push(`table ${name}: only in ${bn}`);
  return out;
};
