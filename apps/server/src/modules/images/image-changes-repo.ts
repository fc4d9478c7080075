import type { Db } from "../../db/database.js";
import type { Executor } from "../../db/executor.js";

/**
 * The one home of "an image's annotations changed": its revision (which every save's conflict
 * check compares), its annotation count (kept exact so nothing counts shapes to list or sort) and
 * the step of its status from `new` to `in_progress` once it holds anything. Every writer of
 * annotations or tags (annotations, labels, imports) calls these, inside its own transaction.
 */
export const imageChangesRepo = (db: Db) => {
  const revision = db.prepare<[number], number>("SELECT revision FROM images WHERE id = ?").pluck();
  const saved = db.prepare<[number, string, number, number]>(
    `UPDATE images SET revision = revision + 1, annotation_count = ?, updated_at = ?,
       status = CASE WHEN status = 'new' AND ? THEN 'in_progress' ELSE status END
     WHERE id = ?`,
  );
  const labelUsers = db.prepare<[string, number, number]>(
    `UPDATE images SET revision = revision + 1, updated_at = ? WHERE id IN
      (SELECT image_id FROM annotations WHERE label_id = ? UNION SELECT image_id FROM image_tags WHERE label_id = ?)`,
  );
  const uncount = db.prepare<[number, number]>(
    `UPDATE images SET annotation_count = annotation_count -
       (SELECT COUNT(*) FROM annotations a WHERE a.image_id = images.id AND a.label_id = ?)
     WHERE id IN (SELECT image_id FROM annotations WHERE label_id = ?)`,
  );
  // Reads the import's chunk table (imports/import-repo.ts), which exists once a publish has begun
  // on this connection: prepared at its first use.
  let chunk: ReturnType<Db["prepare"]> | undefined;
  const importedChunk = () =>
    (chunk ??= db.prepare(
      `UPDATE main.images SET revision = revision + 1, annotation_count = c.count, updated_at = @now,
         status = CASE WHEN status = 'new' AND (c.count > 0 OR EXISTS (SELECT 1 FROM main.image_tags t WHERE t.image_id = images.id))
           THEN 'in_progress' ELSE status END
       FROM temp.import_chunk c WHERE images.id = c.image_id`,
    ));

  return {
    /** The revision a save must name to be applied (undefined for an unknown image). */
    revision: (imageId: number): number | undefined => revision.get(imageId),
    /** After a save replaced or patched the image's shapes or tags: `count` shapes, `tags` tags now. */
    saved: (imageId: number, count: number, tags: number, now: string) =>
      saved.run(count, now, count + tags > 0 ? 1 : 0, imageId),
    /**
     * Before a label's shapes and tags are reassigned or deleted: every image using it gets a new
     * revision, so an editor holding the old set gets a 409 instead of writing it back.
     */
    labelChanging: (labelId: number, now: string) => labelUsers.run(now, labelId, labelId),
    /** Before a label's shapes are deleted: the counts of the images holding them drop by as many. */
    labelShapesDeleting: (labelId: number) => uncount.run(labelId, labelId),
    /** After an import step wrote the images of temp.import_chunk: new counts (its `count`), revisions, status. */
    importedChunk: (now: string) => importedChunk().run({ now }),
  };
};
export type ImageChangesRepo = ReturnType<typeof imageChangesRepo>;

/**
 * After an import step (PostgreSQL publishing, imports/pg-publish-repo.ts) wrote these images'
 * annotations and tags: the same as `importedChunk`, counting what each image now holds. Valid on
 * both dialects; runs on the step's transaction.
 */
export const importedImages = async (ex: Executor, imageIds: readonly number[], now: string) => {
  if (imageIds.length === 0) return;
  await ex
    .updateTable("images")
    .set((eb) => ({
      revision: eb("revision", "+", 1),
      annotation_count: eb
        .selectFrom("annotations as a")
        .select((s) => s.fn.countAll<number>().as("n"))
        .whereRef("a.image_id", "=", "images.id"),
      updated_at: now,
      status: eb
        .case()
        .when(
          eb.and([
            eb("status", "=", "new"),
            eb.or([
              eb.exists(
                eb.selectFrom("annotations as a").select("a.id").whereRef("a.image_id", "=", "images.id"),
              ),
              eb.exists(
                eb
                  .selectFrom("image_tags as t")
                  .select("t.image_id")
                  .whereRef("t.image_id", "=", "images.id"),
              ),
            ]),
          ]),
        )
        .then("in_progress")
        .else(eb.ref("status"))
        .end(),
    }))
    .where("id", "in", [...imageIds])
    .execute();
};
