import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProject } from "../../test-support/api.js";
import { insertUserWithToken, makeTestApp, type TestApp } from "../../test-support/app.js";
import { authRepo } from "./repo.js";

/**
 * The credential lookup runs on every request and the membership check on every annotator
 * request: each is one query (one round trip to PostgreSQL), and a token in use is not written
 * on every request.
 */
describe("credential lookups", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
  });
  afterEach(() => t.cleanup());

  /** The queries one request costs (the app's background workers, polling on their own, not counted). */
  const queriesOf = async (send: () => Promise<request.Response>, status = 200): Promise<number> => {
    const { result, queries } = await t.countQueries(send);
    expect(result.status).toBe(status);
    return queries;
  };

  it("a bearer token costs one query, and its last use is written at most once a minute", async () => {
    const me = () => request(t.app).get("/api/v1/auth/me");
    // The first request writes the token's first use (and learns that setup is done).
    await me().expect(200);
    expect(await queriesOf(me)).toBe(1);
    expect(await queriesOf(me)).toBe(1);
  });

  it("a session cookie costs one query", async () => {
    await request(t.app)
      .post("/api/v1/users")
      .send({ email: "sam@example.com", name: "Sam", role: "manager", password: "sam-password-12" })
      .expect(201);
    const login = await request(t.app)
      .post("/api/v1/auth/login")
      .send({ email: "sam@example.com", password: "sam-password-12" })
      .expect(200);
    const cookie = (login.headers["set-cookie"] as unknown as string[])[0]?.split(";")[0] ?? "";
    expect(await queriesOf(() => request(t.app).get("/api/v1/auth/me").set("Cookie", cookie))).toBe(1);
  });

  it("an annotator's project request adds one membership query to the credential and the project", async () => {
    const project = await createProject(t.app);
    const ann = await insertUserWithToken(t.sql, {
      email: "ann@example.com",
      name: "Ann",
      role: "annotator",
    });
    await authRepo(t.sql).addMember(project.id, ann.userId, new Date().toISOString());
    const get = () =>
      request(t.app).get(`/api/v1/projects/${project.id}`).set("Authorization", `Bearer ${ann.token}`);
    await get().expect(200);
    expect(await queriesOf(get)).toBe(3);
  });
});
