import { afterEach, describe, expect, it } from "vitest";
import { migratedDb } from "../test-support/migrated-db.js";
import { SKIP_POSTGRES_REASON, TEST_DATABASE_URL } from "../test-support/postgres.js";
import type { DbConnection, Dialect } from "./connect.js";
import { loadMigrations, type Migration, migrationsDir } from "./database.js";
import { type ColumnKind, TABLES } from "./schema.js";
import { type ColumnShape, diffSchemas, type SchemaShape, schemaShape } from "./schema-shape.js";

if (!TEST_DATABASE_URL)
  console.warn(`schema drift between SQLite and PostgreSQL not checked: ${SKIP_POSTGRES_REASON}`);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fresh database of the dialect, migrated with `migrations` (default: the dialect's own). */
const migrated = async (dialect: Dialect, migrations?: Migration[]): Promise<DbConnection> =>
  (await migratedDb(dialect, cleanups, migrations)).conn;
const shapeOf = async (dialect: Dialect, migrations?: Migration[]): Promise<SchemaShape> =>
  schemaShape(await migrated(dialect, migrations));

/** The dialect's shipped migrations plus one more, numbered after them, as if a branch added it to one side only. */
const withExtra = (dialect: Dialect, sql: string): Migration[] => {
  const shipped = loadMigrations(migrationsDir(dialect));
  const version = Math.max(...shipped.map((m) => m.version)) + 1;
  return [...shipped, { version, name: `${String(version).padStart(4, "0")}-drift.sql`, sql }];
};

describe.skipIf(!TEST_DATABASE_URL)("schema drift between SQLite and PostgreSQL", () => {
  it("the migrated schemas have the same tables, columns, indexes, foreign keys and triggers", async () => {
    const [sqlite, postgres] = await Promise.all([shapeOf("sqlite"), shapeOf("postgres")]);
    expect(sqlite.length).toBeGreaterThan(15);
    expect(diffSchemas(sqlite, postgres, ["sqlite", "postgres"])).toEqual([]);
  });

  it("fails on drift: a column, an index, ON DELETEs (of a constraint and of a trigger's reference) and a NOT NULL only PostgreSQL has", async () => {
    const [sqlite, postgres] = await Promise.all([
      shapeOf("sqlite"),
      shapeOf(
        "postgres",
        withExtra(
          "postgres",
          `ALTER TABLE images ADD COLUMN extra text;
           CREATE INDEX images_extra ON images(extra) WHERE extra IS NOT NULL;
           ALTER TABLE image_tags DROP CONSTRAINT image_tags_label_id_fkey;
           ALTER TABLE image_tags ADD FOREIGN KEY (label_id) REFERENCES labels(id);
           COMMENT ON TRIGGER annotations_references_insert ON annotations IS
             'foreign key (image_id) references images(id) on delete cascade; foreign key (label_id) references labels(id) on delete cascade';
           COMMENT ON TRIGGER annotations_references_update ON annotations IS
             'foreign key (image_id) references images(id) on delete cascade; foreign key (label_id) references labels(id) on delete cascade';
           ALTER TABLE labels ALTER COLUMN hotkey SET NOT NULL;
           DROP TRIGGER image_status_counts_delete ON images;`,
        ),
      ),
    ]);
    const drift = diffSchemas(sqlite, postgres, ["sqlite", "postgres"]);
    expect(drift).toHaveLength(6);
    expect(drift).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^column labels\.hotkey: sqlite .*"notNull":false.*, postgres .*"notNull":true/,
        ),
        "column images.extra: only in postgres",
        "index on images: images_extra: only in postgres",
        "trigger on images: image_status_counts_delete: only in sqlite",
        expect.stringMatching(
          /^foreign key of annotations: label_id>labels: sqlite .*"NO ACTION".*, postgres .*"CASCADE"/,
        ),
        expect.stringMatching(
          /^foreign key of image_tags: label_id>labels: sqlite .*"CASCADE".*, postgres .*"NO ACTION"/,
        ),
      ]),
    );
  });
});

describe.skipIf(TEST_DATABASE_URL)("schema drift between SQLite and PostgreSQL", () => {
  it.skip(SKIP_POSTGRES_REASON, () => {});
});

describe("diffSchemas", () => {
  it("sees a column, index or foreign key one SQLite schema has and the other lacks", async () => {
    const [base, drifted] = await Promise.all([
      shapeOf("sqlite"),
      shapeOf(
        "sqlite",
        withExtra(
          "sqlite",
          `ALTER TABLE projects ADD COLUMN extra INTEGER NOT NULL DEFAULT 0;
           CREATE UNIQUE INDEX labels_color ON labels(project_id, color);
           CREATE TABLE notes (id INTEGER PRIMARY KEY, image_id INTEGER REFERENCES images(id) ON DELETE SET NULL);`,
        ),
      ),
    ]);
    expect(diffSchemas(base, drifted).sort()).toEqual([
      "column projects.extra: only in b",
      "index on labels: labels_color: only in b",
      "table notes: only in b",
    ]);
  });
});

/** What a column of each kind in db/schema.ts must look like in the migrated schema. */
const expectedColumn = (name: string, kind: ColumnKind): ColumnShape => {
  const base = { name, notNull: true, hasDefault: false, generated: false, autoId: false };
  const type = kind.startsWith("text") ? "text" : kind.startsWith("real") ? "real" : "integer";
  if (kind === "id") return { ...base, type, autoId: true };
  if (kind === "computed") return { ...base, type, notNull: false, generated: true };
  if (kind.endsWith("?")) return { ...base, type, notNull: false };
  if (kind.endsWith("=")) return { ...base, type, hasDefault: true };
  return { ...base, type };
};

describe.each<Dialect>(TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"])(
  "db/schema.ts against the migrated %s schema",
  (dialect) => {
    it("lists exactly the migrated tables and columns, each of the kind the migrations made", async () => {
      const shape = await shapeOf(dialect);
      const fromTypes = Object.entries(TABLES)
        .map(([table, columns]) => ({
          table,
          columns: Object.entries(columns as Record<string, ColumnKind>)
            .map(([name, kind]) => expectedColumn(name, kind))
            .sort((a, b) => (a.name < b.name ? -1 : 1)),
        }))
        .sort((a, b) => (a.table < b.table ? -1 : 1));
      expect(shape.map((t) => ({ table: t.name, columns: t.columns }))).toEqual(fromTypes);
    });
  },
);
