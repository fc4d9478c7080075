import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LabelbenchApp } from "../../app.js";
import type { Config } from "../../config.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { ensureAdminFromEnv } from "./service.js";

const ADMIN = { email: "admin@example.com", password: "admin-password-1" };
let t: TestApp;
let app: LabelbenchApp;
let clock: number;
const SETUP_CODE = "ABCD-EFGH-JKMN-PQRS";
const now = () => new Date(clock).toISOString();

const cookieOf = (res: request.Response) =>
  (res.headers["set-cookie"] as unknown as string[] | undefined)?.[0]?.split(";")[0] ?? "";

beforeEach(async () => {
  clock = Date.parse("2026-01-01T00:00:00Z");
  // A fresh install: no account yet, the setup page open.
  t = await makeTestApp({}, { admin: false, now, setupCode: SETUP_CODE });
  app = t.app;
});
/** Another app over the test's database (the same install, other settings: another process). */
const appOver = (config: Partial<Config> = {}) => t.sibling(config, { now, setupCode: SETUP_CODE });
afterEach(() => t.cleanup());

const setup = async () => {
  const res = await request(app).post("/api/v1/setup").send(ADMIN);
  expect(res.status).toBe(201);
  return cookieOf(res);
};

describe("first start", () => {
  it("answers SETUP_REQUIRED everywhere but setup and health until an admin exists", async () => {
    expect((await request(app).get("/api/v1/setup")).body).toEqual({ required: true, codeRequired: false });
    const res = await request(app).get("/api/v1/projects");
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("SETUP_REQUIRED");
    expect((await request(app).get("/api/v1/health")).status).toBe(200);
    const cookie = await setup();
    expect((await request(app).get("/api/v1/setup")).body).toEqual({ required: false, codeRequired: false });
    expect((await request(app).get("/api/v1/projects").set("cookie", cookie)).status).toBe(200);
    // Setup works once only.
    expect(
      (
        await request(app)
          .post("/api/v1/setup")
          .send({ ...ADMIN, email: "b@example.com" })
      ).status,
    ).toBe(409);
  });

  it("asks for the setup code from another machine and takes it however it is typed", async () => {
    // A request a reverse proxy forwarded from elsewhere: not local, though its socket is loopback.
    const remote = (r: request.Test) => r.set("x-forwarded-for", "203.0.113.7");
    expect((await remote(request(app).get("/api/v1/setup"))).body).toEqual({
      required: true,
      codeRequired: true,
    });
    const none = await remote(request(app).post("/api/v1/setup")).send(ADMIN);
    expect(none.status).toBe(403);
    expect(none.body.error.details[0].path).toBe("body.code");
    expect(none.body.error.details[0].message).toMatch(/server log/);
    const wrong = await remote(request(app).post("/api/v1/setup")).send({
      ...ADMIN,
      code: "ABCD-EFGH-JKMN-PQRT",
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toBe("the setup code is incorrect");
    // Nothing was created by the refusals.
    expect((await request(app).get("/api/v1/setup")).body.required).toBe(true);
    const right = await remote(request(app).post("/api/v1/setup")).send({
      ...ADMIN,
      code: " abcdefghjkmnpqrs ",
    });
    expect(right.status).toBe(201);
    expect(right.body.user.email).toBe(ADMIN.email);
  });

  it("behind a configured proxy, even a loopback request needs the code", async () => {
    const proxied = await appOver({ trustProxy: ["loopback"] });
    expect((await request(proxied).get("/api/v1/setup")).body.codeRequired).toBe(true);
    expect((await request(proxied).post("/api/v1/setup").send(ADMIN)).status).toBe(403);
    expect(
      (
        await request(proxied)
          .post("/api/v1/setup")
          .send({ ...ADMIN, code: SETUP_CODE })
      ).status,
    ).toBe(201);
  });

  it("refuses setup and sign-in posted from a foreign page (login CSRF)", async () => {
    const foreign = await request(app)
      .post("/api/v1/setup")
      .set("origin", "https://evil.example")
      .send(ADMIN);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("FORBIDDEN");
    await setup();
    const login = await request(app)
      .post("/api/v1/auth/login")
      .set("origin", "https://evil.example")
      .send(ADMIN);
    expect(login.status).toBe(403);
    expect(login.headers["set-cookie"]).toBeUndefined();
    const own = await request(app)
      .post("/api/v1/auth/login")
      .set("host", "lb.local")
      .set("origin", "http://lb.local")
      .send(ADMIN);
    expect(own.status).toBe(200);
  });

  it("behind a trusted proxy, the Origin check compares with X-Forwarded-Host; otherwise that header is ignored", async () => {
    await setup();
    const viaProxy = (target: LabelbenchApp) =>
      request(target)
        .post("/api/v1/auth/login")
        .set("host", "127.0.0.1:3000")
        .set("x-forwarded-host", "labels.example.com")
        .set("x-forwarded-for", "203.0.113.7")
        .set("origin", "https://labels.example.com")
        .send(ADMIN);
    expect((await viaProxy(await appOver({ trustProxy: ["loopback"] }))).status).toBe(200);
    expect((await viaProxy(app)).status).toBe(403);
  });

  it("creates the admin from LABELBENCH_ADMIN_EMAIL/PASSWORD for headless installs, once", async () => {
    const deps = { sql: t.sql, now };
    const env = { LABELBENCH_ADMIN_EMAIL: " Admin@Example.com ", LABELBENCH_ADMIN_PASSWORD: ADMIN.password };
    expect((await ensureAdminFromEnv(deps, env))?.email).toBe(ADMIN.email);
    expect(await ensureAdminFromEnv(deps, env)).toBeNull();
    expect((await request(app).get("/api/v1/setup")).body.required).toBe(false);
    expect((await request(app).post("/api/v1/auth/login").send(ADMIN)).status).toBe(200);
  });

  it("refuses short passwords with the field named", async () => {
    const res = await request(app).post("/api/v1/setup").send({ email: "a@example.com", password: "short" });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe("body.password");
  });
});

describe("sessions", () => {
  it("sets an HttpOnly SameSite=Lax cookie and rotates it at every login", async () => {
    await setup();
    const a = await request(app).post("/api/v1/auth/login").send(ADMIN);
    const raw = (a.headers["set-cookie"] as unknown as string[])[0] ?? "";
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Lax/);
    const first = cookieOf(a);
    const b = await request(app).post("/api/v1/auth/login").set("cookie", first).send(ADMIN);
    const second = cookieOf(b);
    expect(second).not.toBe(first);
    expect((await request(app).get("/api/v1/auth/me").set("cookie", first)).status).toBe(401);
    expect((await request(app).get("/api/v1/auth/me").set("cookie", second)).status).toBe(200);
  });

  it("expires sessions after their lifetime", async () => {
    const cookie = await setup();
    expect((await request(app).get("/api/v1/auth/me").set("cookie", cookie)).status).toBe(200);
    clock += 15 * 24 * 3600 * 1000;
    expect((await request(app).get("/api/v1/auth/me").set("cookie", cookie)).status).toBe(401);
  });

  it("logout ends the session at once", async () => {
    const cookie = await setup();
    expect((await request(app).post("/api/v1/auth/logout").set("cookie", cookie)).status).toBe(204);
    expect((await request(app).get("/api/v1/auth/me").set("cookie", cookie)).status).toBe(401);
  });

  it("never reveals whether an email exists", async () => {
    await setup();
    const unknown = await request(app)
      .post("/api/v1/auth/login")
      .send({ email: "nobody@example.com", password: "x".repeat(12) });
    const wrong = await request(app)
      .post("/api/v1/auth/login")
      .send({ email: ADMIN.email, password: "x".repeat(12) });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("throttles brute force per account", async () => {
    await setup();
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await request(app)
            .post("/api/v1/auth/login")
            .send({ ...ADMIN, password: `wrong-${i}-xxxxx` })
        ).status,
      ).toBe(401);
    }
    const blocked = await request(app).post("/api/v1/auth/login").send(ADMIN);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("RATE_LIMITED");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("counts parallel guesses before checking them: 60 at once get at most 5 checks, and a colleague on the same address still signs in", async () => {
    const admin = await setup();
    const colleague = { email: "colleague@example.com", password: "colleague-pass-1" };
    await request(app)
      .post("/api/v1/users")
      .set("cookie", admin)
      .send({ ...colleague, name: "C", role: "annotator" })
      .expect(201);
    // One listening server, so the 60 requests really are in flight at the same time.
    const server = http.createServer(app).listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const guesses = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ email: ADMIN.email, password: `guess-number-${i}` }),
          }).then((r) => r.status),
        ),
      );
      // Every 401 is one password really checked; the rest were refused before any check.
      expect(guesses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(guesses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    } finally {
      server.close();
    }
    expect((await request(app).post("/api/v1/auth/login").send(colleague)).status).toBe(200);
  });

  it("backs off twice as long after each further failure, and a success starts over", async () => {
    await setup();
    const attempt = (password: string) =>
      request(app)
        .post("/api/v1/auth/login")
        .send({ ...ADMIN, password });
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong-${i}-xxxxx`)).status).toBe(401);
    const first = await attempt(ADMIN.password);
    expect(first.status).toBe(429);
    expect(first.body.error.message).toMatch(/for this account; try again in 10 s/);
    clock += 10_000;
    expect((await attempt("wrong-again-xxxxx")).status).toBe(401);
    const second = await attempt(ADMIN.password);
    expect(second.headers["retry-after"]).toBe("20");
    clock += 20_000;
    expect((await attempt(ADMIN.password)).status).toBe(200);
    expect((await attempt("wrong-after-success")).status).toBe(401);
  });

  it("throttles per account x client: LABELBENCH_TRUST_PROXY says whose X-Forwarded-For names the client", async () => {
    await setup();
    const behindProxy = await appOver({ trustProxy: ["loopback"] });
    const from = (client: string, target = behindProxy) =>
      request(target).post("/api/v1/auth/login").set("x-forwarded-for", client);
    for (let i = 0; i < 5; i++)
      expect((await from("203.0.113.7").send({ ...ADMIN, password: `wrong-${i}-xxxxx` })).status).toBe(401);
    expect((await from("203.0.113.7").send(ADMIN)).status).toBe(429);
    // Someone else reaching the same account through the same proxy is not held back.
    expect((await from("198.51.100.4").send(ADMIN)).status).toBe(200);
    // Without trust proxy the header is ignored: a guesser cannot make up a fresh address per try.
    for (let i = 0; i < 5; i++)
      expect((await from(`192.0.2.${i}`, app).send({ ...ADMIN, password: `wrong-${i}-xxxxx` })).status).toBe(
        401,
      );
    expect((await from("192.0.2.99", app).send(ADMIN)).status).toBe(429);
  });

  it("refuses cookie-authenticated writes from a foreign Origin (CSRF)", async () => {
    const cookie = await setup();
    const foreign = await request(app)
      .post("/api/v1/projects")
      .set("cookie", cookie)
      .set("origin", "https://evil.example")
      .send({ name: "x" });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("FORBIDDEN");
    const refererOnly = await request(app)
      .post("/api/v1/projects")
      .set("cookie", cookie)
      .set("referer", "https://evil.example/page")
      .send({ name: "x" });
    expect(refererOnly.status).toBe(403);
    const own = await request(app)
      .post("/api/v1/projects")
      .set("cookie", cookie)
      .set("host", "lb.local")
      .set("origin", "http://lb.local")
      .send({ name: "x" });
    expect(own.status).toBe(201);
  });
});

describe("changing your own password", () => {
  const change = (cookie: string, body: object) =>
    request(app).post("/api/v1/auth/password").set("cookie", cookie).send(body);

  it("needs the current password, then signs in with the new one and ends the other sessions", async () => {
    const here = await setup();
    const elsewhere = cookieOf(await request(app).post("/api/v1/auth/login").send(ADMIN));
    const token = (
      await request(app).post("/api/v1/tokens").set("cookie", here).send({ name: "ci", scope: "read" })
    ).body.token as string;

    const res = await change(here, { currentPassword: ADMIN.password, newPassword: "a-brand-new-pass" });
    expect(res.status).toBe(204);
    // This browser stays signed in; the other one is signed out; scripts' tokens keep working.
    expect((await request(app).get("/api/v1/auth/me").set("cookie", here)).status).toBe(200);
    expect((await request(app).get("/api/v1/auth/me").set("cookie", elsewhere)).status).toBe(401);
    expect((await request(app).get("/api/v1/auth/me").set("authorization", `Bearer ${token}`)).status).toBe(
      200,
    );
    expect((await request(app).post("/api/v1/auth/login").send(ADMIN)).status).toBe(401);
    expect(
      (
        await request(app)
          .post("/api/v1/auth/login")
          .send({ ...ADMIN, password: "a-brand-new-pass" })
      ).status,
    ).toBe(200);
  });

  it("refuses a wrong current password, a short or unchanged new one, with the field named", async () => {
    const cookie = await setup();
    const wrong = await change(cookie, {
      currentPassword: "not-my-password",
      newPassword: "a-brand-new-pass",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([
      { path: "body.currentPassword", message: "the current password is incorrect" },
    ]);
    const short = await change(cookie, { currentPassword: ADMIN.password, newPassword: "short" });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe("body.newPassword");
    const same = await change(cookie, { currentPassword: ADMIN.password, newPassword: ADMIN.password });
    expect(same.status).toBe(400);
    expect(same.body.error.details[0].path).toBe("body.newPassword");
    // Nothing changed: the old password still signs in.
    expect((await request(app).post("/api/v1/auth/login").send(ADMIN)).status).toBe(200);
  });

  it("throttles guessing the current password, and API tokens cannot change it", async () => {
    const cookie = await setup();
    for (let i = 0; i < 5; i++)
      expect(
        (await change(cookie, { currentPassword: `guess-${i}`, newPassword: "a-brand-new-pass" })).status,
      ).toBe(400);
    const blocked = await change(cookie, {
      currentPassword: ADMIN.password,
      newPassword: "a-brand-new-pass",
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);

    const token = (
      await request(app).post("/api/v1/tokens").set("cookie", cookie).send({ name: "ci", scope: "write" })
    ).body.token as string;
    const viaToken = await request(app)
      .post("/api/v1/auth/password")
      .set("authorization", `Bearer ${token}`)
      .send({ currentPassword: ADMIN.password, newPassword: "a-brand-new-pass" });
    expect(viaToken.status).toBe(403);
  });
});

describe("deactivation and tokens", () => {
  it("deactivating a user ends their sessions and tokens immediately", async () => {
    const admin = await setup();
    const u = await request(app)
      .post("/api/v1/users")
      .set("cookie", admin)
      .send({ email: "m@example.com", name: "M", role: "manager", password: "manager-pass-1" });
    const session = cookieOf(
      await request(app)
        .post("/api/v1/auth/login")
        .send({ email: "m@example.com", password: "manager-pass-1" }),
    );
    const token = (
      await request(app).post("/api/v1/tokens").set("cookie", session).send({ name: "ci", scope: "write" })
    ).body.token;
    expect((await request(app).get("/api/v1/projects").set("authorization", `Bearer ${token}`)).status).toBe(
      200,
    );
    await request(app)
      .patch(`/api/v1/users/${u.body.id}`)
      .set("cookie", admin)
      .send({ active: false })
      .expect(200);
    expect((await request(app).get("/api/v1/projects").set("cookie", session)).status).toBe(401);
    expect((await request(app).get("/api/v1/projects").set("authorization", `Bearer ${token}`)).status).toBe(
      401,
    );
    expect(
      (
        await request(app)
          .post("/api/v1/auth/login")
          .send({ email: "m@example.com", password: "manager-pass-1" })
      ).status,
    ).toBe(401);
  });

  it("a revoked token stops working at once; an expired one too; read tokens cannot write", async () => {
    const admin = await setup();
    const created = await request(app)
      .post("/api/v1/tokens")
      .set("cookie", admin)
      .send({ name: "dl", scope: "read", expiresInDays: 1 });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^lbt_/);
    const bearer = `Bearer ${created.body.token}`;
    expect((await request(app).get("/api/v1/projects").set("authorization", bearer)).status).toBe(200);
    expect(
      (await request(app).post("/api/v1/projects").set("authorization", bearer).send({ name: "x" })).status,
    ).toBe(403);
    // The secret is never listed again.
    const list = await request(app).get("/api/v1/tokens").set("cookie", admin);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    clock += 2 * 86_400_000;
    expect((await request(app).get("/api/v1/projects").set("authorization", bearer)).status).toBe(401);

    const other = (await request(app).post("/api/v1/tokens").set("cookie", admin).send({ name: "x" })).body;
    await request(app).delete(`/api/v1/tokens/${other.id}`).set("cookie", admin).expect(204);
    expect(
      (await request(app).get("/api/v1/projects").set("authorization", `Bearer ${other.token}`)).status,
    ).toBe(401);
  });

  it("keeps at least one active admin", async () => {
    const admin = await setup();
    const me = (await request(app).get("/api/v1/auth/me").set("cookie", admin)).body.user;
    const res = await request(app)
      .patch(`/api/v1/users/${me.id}`)
      .set("cookie", admin)
      .send({ role: "manager" });
    expect(res.status).toBe(409);
  });

  it("records who made annotation and status changes", async () => {
    const admin = await setup();
    const p = (await request(app).post("/api/v1/projects").set("cookie", admin).send({ name: "p" })).body;
    const l = (
      await request(app).post(`/api/v1/projects/${p.id}/labels`).set("cookie", admin).send({ name: "car" })
    ).body;
    const sharp = (await import("sharp")).default;
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const img = (
      await request(app)
        .post(`/api/v1/projects/${p.id}/images`)
        .set("cookie", admin)
        .attach("files", png, "a.png")
    ).body.results[0].image;
    const put = await request(app)
      .put(`/api/v1/images/${img.id}/annotations`)
      .set("cookie", admin)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: l.id, geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } }],
      });
    expect(put.body.annotations[0].createdBy).toBe(ADMIN.email);
    expect(put.body.annotations[0].updatedBy).toBe(ADMIN.email);
  });
});
