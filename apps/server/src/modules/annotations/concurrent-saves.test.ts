import type { Kysely } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../http/errors.js";
import { createLabel, createProject, uploadImage } from "../../test-support/api.js";
import { makeTestApp, openProcessesDatabase, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { annotationService } from "./service.js";

/**
 * On PostgreSQL two pools on one database, as two server processes have: every save below names
 * the same base revision, and the check must hold across connections, not only inside one process.
 * On SQLite one connection, as one process has (see openProcessesDatabase).
 */
interface Pair {
  a: Kysely<Database>;
  b: Kysely<Database>;
  close: () => Promise<void>;
}

const openPair = async (): Promise<Pair> => {
  const db = await openProcessesDatabase({ poolSize: 8 });
  return { a: db.sql, b: await db.connection(), close: db.close };
};

let pair: Pair;
let imageId: number;
let labelId: number;

beforeEach(async () => {
  pair = await openPair();
  const now = "2026-01-01T00:00:00.000Z";
  const { id: projectId } = await pair.a
    .insertInto("projects")
    .values({ name: "race", created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  ({ id: labelId } = await pair.a
    .insertInto("labels")
    .values({
      project_id: projectId,
      name: "car",
      name_key: "car",
      color: "#4e79a7",
      position: 0,
      shape_types: "box,polygon",
    })
    .returning("id")
    .executeTakeFirstOrThrow());
  ({ id: imageId } = await pair.a
    .insertInto("images")
    .values({
      project_id: projectId,
      sha256: "0".repeat(64),
      file_name: "a.png",
      width: 1000,
      height: 1000,
      format: "png",
      byte_size: 1,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow());
});
afterEach(() => pair.close());

/** The set saver `i` sends: its own 40 boxes, so the stored set tells whose save it is. */
const setOf = (i: number) =>
  Array.from({ length: 40 }, (_, k) => ({
    id: `w${i}-${k}`,
    labelId,
    geometry: { type: "box" as const, x: k, y: i, width: 10, height: 10 },
  }));

describe(`concurrent saves with one base revision (${TEST_BACKEND === "postgres" ? "PostgreSQL, two pools" : "SQLite, one connection"})`, () => {
  it("lets exactly one of N win; the others get REVISION_CONFLICT and the stored set is the winner's", async () => {
    const now = () => new Date().toISOString();
    const services = [pair.a, pair.b].map((sql) => annotationService({ sql, dialect: TEST_BACKEND, now }));
    const N = 12;
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        (services[i % 2] ?? services[0])?.put(
          imageId,
          { baseRevision: 0, annotations: setOf(i), tags: [] },
          null,
        ),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    const winner = won[0] as number;
    for (const r of results) {
      if (r.status === "fulfilled") continue;
      expect(r.reason).toBeInstanceOf(AppError);
      expect((r.reason as AppError).code).toBe("REVISION_CONFLICT");
    }
    const stored = await annotationService({ sql: pair.b, dialect: TEST_BACKEND, now }).get(imageId);
    expect(stored.revision).toBe(1);
    expect(stored.annotations.map((a) => a.id)).toEqual(setOf(winner).map((a) => a.id));
    const image = await pair.a
      .selectFrom("images")
      .select(["revision", "annotation_count", "status"])
      .where("id", "=", imageId)
      .executeTakeFirstOrThrow();
    expect(image).toEqual({ revision: 1, annotation_count: 40, status: "in_progress" });
  });

  it("lets exactly one of N patches on one base win, and keeps only the winner's shape", async () => {
    const now = () => new Date().toISOString();
    const services = [pair.a, pair.b].map((sql) => annotationService({ sql, dialect: TEST_BACKEND, now }));
    const N = 12;
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        (services[i % 2] ?? services[0])?.patch(
          imageId,
          { baseRevision: 0, upsert: setOf(i).slice(0, 1), delete: [] },
          null,
        ),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as AppError).code).toBe("REVISION_CONFLICT");
    const stored = await annotationService({ sql: pair.b, dialect: TEST_BACKEND, now }).get(imageId);
    expect(stored.revision).toBe(1);
    expect(stored.annotations.map((a) => a.id)).toEqual([`w${won[0]}-0`]);
  });
});

describe(`concurrent PUTs through the API (${TEST_BACKEND === "postgres" ? "two apps on one PostgreSQL database" : "one app on SQLite"})`, () => {
  let t: TestApp;
  afterEach(() => t.cleanup());

  it("answers 200 to exactly one of N saves on one base and 409 with the winner's set to the rest", async () => {
    t = await makeTestApp();
    const p = await createProject(t.app);
    const label = await createLabel(t.app, p.id, { name: "car" });
    const image = await uploadImage(t.app, p.id, {
      name: "a.png",
      data: await png({ width: 1000, height: 1000 }),
    });
    const url = `/api/v1/images/${image.id}/annotations`;
    const sets = Array.from({ length: 10 }, (_, i) => setOf(i).map((a) => ({ ...a, labelId: label.id })));
    // PostgreSQL: two apps over one database, as two server processes behind one load balancer.
    // SQLite: one app (a second better-sqlite3 handle in this thread would block it; see openPair).
    const apps = t.dialect === "postgres" ? [t.app, await t.sibling()] : [t.app];
    const replies = await Promise.all(
      sets.map((annotations, i) =>
        request(apps[i % apps.length] ?? t.app)
          .put(url)
          .send({ baseRevision: 0, annotations, tags: [] }),
      ),
    );
    const won = replies.flatMap((r, i) => (r.status === 200 ? [i] : []));
    expect(won).toHaveLength(1);
    const winner = sets[won[0] as number]?.map((a) => a.id);
    for (const r of replies) {
      if (r.status === 200) continue;
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("REVISION_CONFLICT");
      expect(r.body.error.details.revision).toBe(1);
      expect(r.body.error.details.annotations.map((a: { id: string }) => a.id)).toEqual(winner);
    }
    const stored = await request(t.app).get(url);
    expect(stored.body.revision).toBe(1);
    expect(stored.body.annotations.map((a: { id: string }) => a.id)).toEqual(winner);
  });
});
