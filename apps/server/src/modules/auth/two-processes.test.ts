import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LabelbenchApp } from "../../app.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";

/**
 * Two server processes behind one load balancer share one database (issue 14): two apps over the
 * same database, each with its own connection and memory, must agree on who is signed in, on how
 * many guesses an account has had and on which tokens are revoked.
 */
const USER = { email: "sam@example.com", password: "sam-password-12" };
let t: TestApp;
let a: LabelbenchApp;
let b: LabelbenchApp;

const cookieOf = (res: request.Response) =>
  (res.headers["set-cookie"] as unknown as string[] | undefined)?.[0]?.split(";")[0] ?? "";
const login = (app: LabelbenchApp, password = USER.password) =>
  request(app).post("/api/v1/auth/login").send({ email: USER.email, password });
const me = (app: LabelbenchApp, credentials: Record<string, string>) =>
  request(app).get("/api/v1/auth/me").set(credentials);

beforeEach(async () => {
  t = await makeTestApp();
  a = t.app;
  b = await t.sibling();
  await request(a)
    .post("/api/v1/users")
    .send({ ...USER, name: "Sam", role: "manager" })
    .expect(201);
});
afterEach(() => t.cleanup());

describe("two processes over one database", () => {
  it("a session started on one is valid on the other, and ends on both", async () => {
    const cookie = cookieOf(await login(a).expect(200));
    expect((await me(b, { cookie })).body.user.email).toBe(USER.email);
    await request(b).post("/api/v1/auth/logout").set({ cookie }).expect(204);
    expect((await me(a, { cookie })).status).toBe(401);
    expect((await me(b, { cookie })).status).toBe(401);
  });

  it("failed sign-ins counted by either add up to one limit", async () => {
    for (let i = 0; i < 5; i++) await login(i % 2 ? a : b, `wrong-${i}-xxxxxxx`).expect(401);
    expect((await login(a)).status).toBe(429);
    expect((await login(b)).status).toBe(429);
  });

  it("parallel guesses sent to both get no more password checks than the limit", async () => {
    const servers = [a, b].map((app) => http.createServer(app).listen(0));
    try {
      const ports = servers.map((s) => (s.address() as AddressInfo).port);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`http://127.0.0.1:${ports[i % 2]}/api/v1/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: USER.email, password: `guess-number-${i}` }),
          }).then((r) => r.status),
        ),
      );
      // Every 401 is one password really checked; the rest were refused before any check.
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it("a token revoked on one is refused by both at once", async () => {
    const cookie = cookieOf(await login(a).expect(200));
    const created = await request(a)
      .post("/api/v1/tokens")
      .set({ cookie })
      .send({ name: "ci", scope: "read" });
    expect(created.status).toBe(201);
    const bearer = { authorization: `Bearer ${created.body.token}` };
    expect((await me(b, bearer)).status).toBe(200);
    expect((await me(a, bearer)).status).toBe(200);
    await request(b).delete(`/api/v1/tokens/${created.body.id}`).set({ cookie }).expect(204);
    expect((await me(a, bearer)).status).toBe(401);
    expect((await me(b, bearer)).status).toBe(401);
  });

  it("a user deactivated on one is signed out on the other", async () => {
    const cookie = cookieOf(await login(b).expect(200));
    const id = (await me(b, { cookie })).body.user.id as number;
    await request(a).patch(`/api/v1/users/${id}`).send({ active: false }).expect(200);
    expect((await me(b, { cookie })).status).toBe(401);
  });
});
