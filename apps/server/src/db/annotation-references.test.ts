import type { Kysely } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migratedDb } from "../test-support/migrated-db.js";
import { SKIP_POSTGRES_REASON, TEST_DATABASE_URL } from "../test-support/postgres.js";
import type { Dialect } from "./connect.js";
import type { Database } from "./schema.js";

/**
 * annotations(image_id) references images(id) on delete cascade, and annotations(label_id)
 * references labels(id): SQLite states them as foreign keys, PostgreSQL enforces them with
 * statement triggers since 0029. Both must behave as the foreign keys they stand for.
 */
const dialects: Dialect[] = TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
if (!TEST_DATABASE_URL)
  console.warn(`annotation references on PostgreSQL not checked: ${SKIP_POSTGRES_REASON}`);

const now = "2026-01-01T00:00:00Z";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const migrated = async (dialect: Dialect) => {
  const { conn, target } = await migratedDb(dialect, cleanups);
  return { conn, url: target };
};

/** A project with two images and two labels. */
const seed = async (k: Kysely<Database>) => {
  const project = (
    await k
      .insertInto("projects")
      .values({ name: "p", created_at: now, updated_at: now })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const images: number[] = [];
  for (const sha of ["a", "b"])
    images.push(
      (
        await k
          .insertInto("images")
          .values({
            project_id: project,
            sha256: sha,
            file_name: `${sha}.png`,
            width: 10,
            height: 10,
            format: "png",
            byte_size: 1,
            created_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
  const labels: number[] = [];
  for (const [i, name] of ["car", "person"].entries())
    labels.push(
      (
        await k
          .insertInto("labels")
          .values({
            project_id: project,
            name,
            name_key: name,
            color: "#ff0000",
            position: i,
            shape_types: '["box"]',
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
  return { project, images: images as [number, number], labels: labels as [number, number] };
};

const shape = (imageId: number, labelId: number, uid: string) => ({
  image_id: imageId,
  label_id: labelId,
  uid,
  geometry: '{"type":"box","x":0,"y":0,"width":1,"height":1}',
  position: 0,
  created_at: now,
  updated_at: now,
});

const count = async (k: Kysely<Database>, imageId?: number) =>
  Number(
    (
      await k
        .selectFrom("annotations")
        .select((eb) => eb.fn.countAll().as("n"))
        .$if(imageId !== undefined, (q) => q.where("image_id", "=", imageId as number))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** SQLite: "FOREIGN KEY constraint failed"; PostgreSQL: SQLSTATE 23503 naming the constraint. */
const violates = (constraint: string) =>
  expect.objectContaining({
    message: expect.stringMatching(
      new RegExp(`FOREIGN KEY constraint failed|foreign key constraint "${constraint}"`),
    ),
  });

describe.each(dialects)("annotations' references to images and labels (%s)", (dialect) => {
  it("refuses a statement that writes an annotation of a missing image or label, and writes none of its rows", async () => {
    const { conn } = await migrated(dialect);
    const k = conn.kysely;
    const { images, labels } = await seed(k);
    await expect(
      k
        .insertInto("annotations")
        .values([shape(images[0], labels[0], "ok"), shape(images[1] + 100, labels[0], "x")])
        .execute(),
    ).rejects.toEqual(violates("annotations_image_id_fkey"));
    await expect(
      k
        .insertInto("annotations")
        .values([shape(images[0], labels[0], "ok"), shape(images[1], labels[1] + 100, "y")])
        .execute(),
    ).rejects.toEqual(violates("annotations_label_id_fkey"));
    expect(await count(k)).toBe(0);

    await k
      .insertInto("annotations")
      .values([shape(images[0], labels[0], "s1"), shape(images[1], labels[1], "s2")])
      .execute();
    await expect(
      k
        .updateTable("annotations")
        .set({ label_id: labels[1] + 100 })
        .where("uid", "=", "s1")
        .execute(),
    ).rejects.toEqual(violates("annotations_label_id_fkey"));
    await expect(
      k
        .updateTable("annotations")
        .set({ image_id: images[1] + 100 })
        .where("uid", "=", "s2")
        .execute(),
    ).rejects.toEqual(violates("annotations_image_id_fkey"));
    // A label may be moved to another existing one (a label's merge does this).
    await k.updateTable("annotations").set({ label_id: labels[1] }).where("uid", "=", "s1").execute();
    expect(
      (await k.selectFrom("annotations").select(["uid", "label_id"]).orderBy("uid").execute()).map((r) => [
        r.uid,
        r.label_id,
      ]),
    ).toEqual([
      ["s1", labels[1]],
      ["s2", labels[1]],
    ]);
  });

  it("deletes an image's annotations with it, and refuses to delete a label annotations still use", async () => {
    const { conn } = await migrated(dialect);
    const k = conn.kysely;
    const { project, images, labels } = await seed(k);
    await k
      .insertInto("annotations")
      .values([
        shape(images[0], labels[0], "a1"),
        shape(images[0], labels[1], "a2"),
        shape(images[1], labels[0], "b1"),
      ])
      .execute();

    await k.deleteFrom("images").where("id", "=", images[0]).execute();
    expect(await count(k, images[0])).toBe(0);
    expect(await count(k, images[1])).toBe(1);

    await expect(k.deleteFrom("labels").where("id", "=", labels[0]).execute()).rejects.toEqual(
      violates("annotations_label_id_fkey"),
    );
    expect(await count(k)).toBe(1);
    // labels[1]'s only annotation went with images[0].
    await k.deleteFrom("labels").where("id", "=", labels[1]).execute();

    // A project's deletion: its images first (their annotations with them), then the project and its labels.
    await k.deleteFrom("images").where("project_id", "=", project).execute();
    await k.deleteFrom("projects").where("id", "=", project).execute();
    expect(await count(k)).toBe(0);
    expect(await k.selectFrom("labels").select("id").execute()).toEqual([]);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  "annotations' references under concurrent transactions (postgres)",
  () => {
    const client = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      cleanups.push(() => c.end());
      return c;
    };
    const insertSql = `INSERT INTO annotations (image_id, label_id, uid, geometry, position, created_at, updated_at)
    VALUES ($1, $2, $3, '{}', 0, '${now}', '${now}')`;

    it("trusts the writes of a transaction that says it checked them (an import's step), and only that transaction", async () => {
      const { conn, url } = await migrated("postgres");
      const { images, labels } = await seed(conn.kysely);
      const c = await client(url);
      await c.query("BEGIN");
      await c.query("SET LOCAL labelbench.references_checked = 'on'");
      // Not checked: the writer vouches for it (this one is wrong on purpose, and rolled back).
      await c.query(insertSql, [images[1] + 100, labels[0], "trusted"]);
      await c.query("ROLLBACK");
      await c.query("BEGIN");
      await expect(c.query(insertSql, [images[1] + 100, labels[0], "checked"])).rejects.toThrow(
        /foreign key constraint "annotations_image_id_fkey"/,
      );
      await c.query("ROLLBACK");
    });

    it("an image's deletion waits for a transaction writing its annotations, then deletes them too", async () => {
      const { conn, url } = await migrated("postgres");
      const { images, labels } = await seed(conn.kysely);
      const writer = await client(url);
      const deleter = await client(url);
      await writer.query("BEGIN");
      await writer.query(insertSql, [images[0], labels[0], "w1"]);
      let deleted = false;
      const deleting = deleter.query("DELETE FROM images WHERE id = $1", [images[0]]).then(() => {
        deleted = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(deleted).toBe(false);
      await writer.query("COMMIT");
      await deleting;
      expect(await count(conn.kysely, images[0])).toBe(0);
    });

    it("a transaction writing annotations of an image another one deletes waits for it and is refused", async () => {
      const { conn, url } = await migrated("postgres");
      const { images, labels } = await seed(conn.kysely);
      const writer = await client(url);
      const deleter = await client(url);
      await deleter.query("BEGIN");
      await deleter.query("DELETE FROM images WHERE id = $1", [images[0]]);
      const writing = writer.query(insertSql, [images[0], labels[0], "w1"]);
      const outcome = writing.then(
        () => "written",
        (err: Error) => err.message,
      );
      await new Promise((r) => setTimeout(r, 300));
      await deleter.query("COMMIT");
      expect(await outcome).toMatch(/foreign key constraint "annotations_image_id_fkey"/);
      expect(await count(conn.kysely)).toBe(0);
    });
  },
);
