import { ImagePage } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProject, expectError, issuePaths, uploadOk } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/**
 * `offset` lets the library's virtualized grid seek straight to a far position (a scrollbar drag
 * to image 90,000) instead of following 180 cursors; cursors stay the way to read on from there.
 */
let t: TestApp;
let projectId: number;
let ids: number[];
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
  const results = await uploadOk(
    t.app,
    projectId,
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => ({ name: `img_${i}.png`, data: await png({ seed: i + 1 }) })),
    ),
  );
  ids = results.map((r) => (r.status === "created" ? r.image.id : -1));
  await request(t.app).patch(`/api/v1/images/${ids[1]}`).send({ status: "done" }).expect(200);
  await request(t.app).patch(`/api/v1/images/${ids[4]}`).send({ status: "done" }).expect(200);
  await request(t.app).patch(`/api/v1/images/${ids[5]}`).send({ status: "done" }).expect(200);
});
afterEach(() => t.cleanup());

const list = async (query: Record<string, string | number>) => {
  const res = await request(t.app).get(`/api/v1/projects/${projectId}/images`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ImagePage.parse(res.body);
};

describe("GET /projects/:id/images?offset=", () => {
  it("skips that many matching images and hands out a cursor to read on", async () => {
    const p = await list({ offset: 2, limit: 3 });
    expect(p.items.map((i) => i.id)).toEqual(ids.slice(2, 5));
    expect(p.nextCursor).not.toBeNull();
    const next = await list({ cursor: p.nextCursor as string, limit: 3 });
    expect(next.items.map((i) => i.id)).toEqual(ids.slice(5, 7));
    expect(next.nextCursor).toBeNull();
  });

  it("counts the offset within the status filter", async () => {
    const p = await list({ status: "done", offset: 1, limit: 5 });
    expect(p.items.map((i) => i.id)).toEqual([ids[4], ids[5]]);
    expect(p.nextCursor).toBeNull();
  });

  it("answers an empty last page past the end", async () => {
    const p = await list({ offset: 50, limit: 5 });
    expect(p.items).toEqual([]);
    expect(p.nextCursor).toBeNull();
    expect(p.counts.total).toBe(7);
  });

  it("refuses offset together with a cursor, and a negative offset", async () => {
    const first = await list({ limit: 2 });
    const both = await request(t.app)
      .get(`/api/v1/projects/${projectId}/images`)
      .query({ cursor: first.nextCursor as string, offset: 3 });
    const err = expectError(both, 400, "VALIDATION_ERROR");
    expect(err.message).toBe("give either cursor or offset, not both");
    expect(issuePaths(err.details)).toEqual(["query.offset"]);
    const negative = await request(t.app).get(`/api/v1/projects/${projectId}/images`).query({ offset: -1 });
    expect(issuePaths(expectError(negative, 400, "VALIDATION_ERROR").details)).toEqual(["query.offset"]);
  });
});
