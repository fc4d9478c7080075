import { randomUUID } from "node:crypto";
import { api, type EndpointName } from "@labelbench/schema";
import type { Express } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { createPredictionRun } from "../predictions/runs.js";

/**
 * Every API route x every kind of caller -> the expected status. A contract endpoint without a row
 * here fails the test, so no route can ship without a decision about who may call it.
 */
const CALLERS = [
  "anonymous",
  "annotatorNonMember",
  "annotatorMember",
  "reviewerNonMember",
  "reviewerMember",
  "manager",
  "admin",
  "readToken",
  "writeToken",
] as const;
type Caller = (typeof CALLERS)[number];
type Expect = Record<Caller, number>;

const ADMIN = { email: "admin@example.com", password: "admin-password-1" };
const PASSWORD = "user-password-12";

interface World {
  app: Express;
  projectId: number;
  labelId: number;
  imageId: number;
  adminCookie: string;
  headers: Record<Caller, Record<string, string>>;
  userIds: Record<
    "annotatorNonMember" | "annotatorMember" | "reviewerNonMember" | "reviewerMember" | "manager",
    number
  >;
}

/** What one row sends: built per call so destructive routes get a fresh target each time. */
interface Call {
  path: string;
  body?: unknown;
  attach?: boolean;
}
type Prepare = (w: World, caller: Caller) => Promise<Call> | Call;
/** One endpoint's row: what each caller gets, and the call to make. */
type Row = { expect: Expect; prepare: Prepare };
type Rows = Partial<Record<EndpointName, Row>>;

const asAdmin = (w: World) => ({ cookie: w.adminCookie });
const freshLabel = async (w: World) => {
  const r = await request(w.app)
    .post(`/api/v1/projects/${w.projectId}/labels`)
    .set(asAdmin(w))
    .send({ name: `tmp-${Math.random().toString(36).slice(2)}` });
  return r.body.id as number;
};
const freshProject = async (w: World, member: boolean) => {
  const r = await request(w.app).post("/api/v1/projects").set(asAdmin(w)).send({ name: "doomed" });
  if (member) {
    for (const userId of [w.userIds.annotatorMember, w.userIds.reviewerMember])
      await request(w.app).post(`/api/v1/projects/${r.body.id}/members`).set(asAdmin(w)).send({ userId });
  }
  return r.body.id as number;
};
const freshImage = async (w: World) => {
  const r = await request(w.app)
    .post(`/api/v1/projects/${w.projectId}/images`)
    .set(asAdmin(w))
    .attach(
      "files",
      await png({
        width: 8,
        height: 8,
        color: `#${Math.floor(Math.random() * 0xffffff)
          .toString(16)
          .padStart(6, "0")}`,
      }),
      "x.png",
    );
  return r.body.results[0].image.id as number;
};
/** A new version of the world's project, frozen by the admin: its number. */
const freshVersion = async (w: World) => {
  const r = await request(w.app).post(`/api/v1/projects/${w.projectId}/versions`).set(asAdmin(w)).send({});
  return r.body.number as number;
};
const revisionOf = async (w: World, imageId: number) =>
  (await request(w.app).get(`/api/v1/images/${imageId}/annotations`).set(asAdmin(w))).body.revision as number;

const all = (s: number): Expect => ({
  anonymous: s,
  annotatorNonMember: s,
  annotatorMember: s,
  reviewerNonMember: s,
  reviewerMember: s,
  manager: s,
  admin: s,
  readToken: s,
  writeToken: s,
});
const signedIn = (ok: number, write: boolean): Expect => ({
  ...all(ok),
  anonymous: 401,
  readToken: write ? 403 : ok,
});
const adminOnly = (ok: number, write: boolean): Expect => ({
  anonymous: 401,
  annotatorNonMember: 403,
  annotatorMember: 403,
  reviewerNonMember: 403,
  reviewerMember: 403,
  manager: 403,
  admin: ok,
  readToken: write ? 403 : ok,
  writeToken: ok,
});
const projectRead = (ok = 200): Expect => ({
  ...all(ok),
  anonymous: 401,
  annotatorNonMember: 404,
  reviewerNonMember: 404,
});
const projectAnnotate = (ok = 200): Expect => ({
  ...all(ok),
  anonymous: 401,
  annotatorNonMember: 404,
  reviewerNonMember: 404,
  readToken: 403,
});
const projectManage = (ok: number, write = true): Expect => ({
  ...all(ok),
  anonymous: 401,
  annotatorNonMember: 404,
  annotatorMember: 403,
  reviewerNonMember: 404,
  reviewerMember: 403,
  readToken: write ? 403 : ok,
});
/** Reviewer members, managers and admins (issue 15); annotators are refused, non-members not told. */
const projectReview = (ok: number, write = true): Expect => ({
  ...projectManage(ok, write),
  reviewerMember: ok,
});
/** A fresh image submitted by the admin (the world's project reviews all): pending review. */
const submittedImage = async (w: World) => {
  const id = await freshImage(w);
  const r = await request(w.app).post(`/api/v1/images/${id}/submit`).set(asAdmin(w)).send({ revision: 0 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id;
};

/**
 * An accepted image of the world's project with an audit waiting (every acceptance audited), decided
 * by someone other than the caller: the admin, or the manager when the caller is the admin (the
 * tokens are the admin's).
 */
const acceptedForAudit = async (w: World, caller: Caller) => {
  await t?.sql
    .insertInto("project_quality")
    .values({ project_id: w.projectId, audit_percent: 100, updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column("project_id").doUpdateSet({ audit_percent: 100 }))
    .execute();
  const id = await submittedImage(w);
  const decider = caller === "admin" || caller.endsWith("Token") ? w.headers.manager : asAdmin(w);
  const r = await request(w.app)
    .post(`/api/v1/images/${id}/decision`)
    .set(decider)
    .send({ decision: "accepted", revision: 0 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id;
};

/** An (empty) private copy of the image for the user, made once. */
const copyOf = async (imageId: number, userId: number) => {
  if (!t) throw new Error("no test app");
  const now = new Date().toISOString();
  await t.sql
    .insertInto("image_copies")
    .values({
      image_id: imageId,
      user_id: userId,
      purpose: "gold",
      shapes: "[]",
      tags: "[]",
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["image_id", "user_id"]).doNothing())
    .execute();
};

const ROWS: Rows = {
  health: { expect: all(200), prepare: () => ({ path: "/health" }) },
  setupStatus: { expect: all(200), prepare: () => ({ path: "/setup" }) },
  setup: {
    expect: all(409),
    prepare: () => ({ path: "/setup", body: { email: "x@example.com", password: PASSWORD } }),
  },
  login: {
    expect: all(200),
    // Each browser caller signs in as itself (which rotates its session); the others use the admin's.
    prepare: (_w, caller) => ({
      path: "/auth/login",
      body: [
        "annotatorNonMember",
        "annotatorMember",
        "reviewerNonMember",
        "reviewerMember",
        "manager",
      ].includes(caller)
        ? { email: emailOf(caller), password: PASSWORD }
        : ADMIN,
    }),
  },
  logout: { expect: signedIn(204, true), prepare: () => ({ path: "/auth/logout" }) },
  me: { expect: signedIn(200, false), prepare: () => ({ path: "/auth/me" }) },
  changePassword: {
    // A wrong current password: past authorization it answers 400 and changes nothing the other rows need.
    expect: { ...signedIn(400, true), writeToken: 403 },
    prepare: () => ({
      path: "/auth/password",
      body: { currentPassword: "not-the-password", newPassword: "another-password-1" },
    }),
  },
  getKeymap: { expect: signedIn(200, false), prepare: () => ({ path: "/me/keymap" }) },
  putKeymap: {
    expect: signedIn(200, true),
    prepare: () => ({ path: "/me/keymap", body: { bindings: { "tool.box": ["KeyK"] } } }),
  },
  listUsers: { expect: { ...adminOnly(200, false), manager: 200 }, prepare: () => ({ path: "/users" }) },
  createUser: {
    expect: adminOnly(201, true),
    prepare: () => ({
      path: "/users",
      body: { email: `u${Math.random().toString(36).slice(2)}@example.com`, name: "U", password: PASSWORD },
    }),
  },
  updateUser: {
    expect: adminOnly(200, true),
    prepare: (w) => ({ path: `/users/${w.userIds.annotatorNonMember}`, body: { name: "Renamed" } }),
  },
  listMembers: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/members` }) },
  addMember: {
    expect: projectManage(201),
    prepare: (w) => ({ path: `/projects/${w.projectId}/members`, body: { userId: w.userIds.manager } }),
  },
  removeMember: {
    expect: projectManage(204),
    prepare: async (w) => {
      await request(w.app)
        .post(`/api/v1/projects/${w.projectId}/members`)
        .set(asAdmin(w))
        .send({ userId: w.userIds.manager });
      return { path: `/projects/${w.projectId}/members?userId=${w.userIds.manager}` };
    },
  },
  listTokens: { expect: signedIn(200, false), prepare: () => ({ path: "/tokens" }) },
  createToken: {
    // Tokens cannot mint tokens: only a signed-in browser session can.
    expect: { ...signedIn(201, true), writeToken: 403 },
    prepare: () => ({ path: "/tokens", body: { name: "t" } }),
  },
  deleteToken: {
    expect: { ...signedIn(204, true), readToken: 403 },
    prepare: async (w, caller) => {
      // Each caller revokes a token of its own (tokens belong to the admin for token callers).
      const login =
        caller.startsWith("annotator") || caller.startsWith("reviewer") || caller === "manager"
          ? w.headers[caller]
          : asAdmin(w);
      const cookie = "cookie" in login ? login : asAdmin(w);
      const r = await request(w.app).post("/api/v1/tokens").set(cookie).send({ name: "to-revoke" });
      return { path: `/tokens/${r.body.id ?? 999999}` };
    },
  },

  listProjects: { expect: signedIn(200, false), prepare: () => ({ path: "/projects" }) },
  createProject: {
    expect: { ...adminOnly(201, true), manager: 201 },
    prepare: () => ({ path: "/projects", body: { name: "New" } }),
  },
  getProject: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}` }) },
  updateProject: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}`, body: { description: "d" } }),
  },
  deleteProject: {
    expect: projectManage(204),
    prepare: async (w, caller) => ({
      path: `/projects/${await freshProject(w, caller !== "annotatorNonMember" && caller !== "reviewerNonMember")}`,
    }),
  },
  projectStats: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/stats` }) },
  listLabels: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/labels` }) },
  createLabel: {
    expect: projectManage(201),
    prepare: (w) => ({ path: `/projects/${w.projectId}/labels`, body: { name: `l-${Math.random()}` } }),
  },
  bulkCreateLabels: {
    expect: projectManage(201),
    prepare: (w) => ({
      path: `/projects/${w.projectId}/labels/bulk`,
      body: { names: [`b-${Math.random()}`] },
    }),
  },
  updateLabel: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/labels/${w.labelId}`, body: { color: "#123456" } }),
  },
  deleteLabel: {
    expect: projectManage(204),
    prepare: async (w) => ({ path: `/projects/${w.projectId}/labels/${await freshLabel(w)}` }),
  },
  uploadImages: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/images`, attach: true }),
  },
  listImages: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/images` }) },
  getImage: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}` }) },
  updateImage: {
    expect: projectAnnotate(),
    prepare: (w) => ({ path: `/images/${w.imageId}`, body: { status: "in_progress" } }),
  },
  deleteImage: {
    expect: projectManage(204),
    prepare: async (w) => ({ path: `/images/${await freshImage(w)}` }),
  },
  imageFile: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/file` }) },
  imageThumbnail: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/thumbnail` }) },
  imageDisplay: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/display` }) },
  // The world's image is below the tiling threshold: callers who may read it learn that (404).
  imageTile: { expect: projectRead(404), prepare: (w) => ({ path: `/images/${w.imageId}/tiles/0/0/0` }) },
  imagePreview: { expect: projectRead(404), prepare: (w) => ({ path: `/images/${w.imageId}/preview` }) },
  imageNeighbours: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/neighbours` }) },
  getAnnotations: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/annotations` }) },
  putAnnotations: {
    expect: projectAnnotate(),
    prepare: async (w) => ({
      path: `/images/${w.imageId}/annotations`,
      body: {
        baseRevision: await revisionOf(w, w.imageId),
        annotations: [{ labelId: w.labelId, geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 } }],
      },
    }),
  },
  patchAnnotations: {
    expect: projectAnnotate(),
    prepare: async (w) => ({
      path: `/images/${w.imageId}/annotations`,
      body: {
        baseRevision: await revisionOf(w, w.imageId),
        upsert: [
          {
            id: randomUUID(),
            labelId: w.labelId,
            geometry: { type: "box", x: 1, y: 1, width: 2, height: 2 },
          },
        ],
      },
    }),
  },
  // Annotators export only where the project allows it (off by default).
  exportDataset: {
    expect: { ...projectRead(), annotatorMember: 403, reviewerMember: 403 },
    prepare: (w) => ({ path: `/projects/${w.projectId}/export?format=coco&images=exclude` }),
  },
  // Dataset versions (issue 17): read by members, frozen, renamed and deleted by managers.
  listVersions: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/versions` }),
  },
  createVersion: {
    expect: projectManage(201),
    prepare: (w) => ({ path: `/projects/${w.projectId}/versions`, body: { note: "matrix" } }),
  },
  getVersion: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/projects/${w.projectId}/versions/${await freshVersion(w)}` }),
  },
  updateVersion: {
    expect: projectManage(200),
    prepare: async (w) => ({
      path: `/projects/${w.projectId}/versions/${await freshVersion(w)}`,
      body: { note: "renamed" },
    }),
  },
  deleteVersion: {
    expect: projectManage(204),
    prepare: async (w) => ({ path: `/projects/${w.projectId}/versions/${await freshVersion(w)}` }),
  },
  diffVersions: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/projects/${w.projectId}/versions/${await freshVersion(w)}/diff/live` }),
  },
  // A lone image is no dataset: callers who may import get as far as validation (400).
  importDataset: {
    expect: projectManage(400),
    prepare: (w) => ({ path: `/projects/${w.projectId}/import?dryRun=true`, attach: true }),
  },

  // The quality workflow (issue 15); the world's project reviews every submission and runs a queue.
  getReviewSettings: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/review-settings` }),
  },
  updateReviewSettings: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/review-settings`, body: { leaseMinutes: 30 } }),
  },
  assignImages: {
    expect: projectManage(200),
    prepare: async (w) => ({
      path: `/projects/${w.projectId}/assignments`,
      body: { assigneeId: w.userIds.annotatorMember, imageIds: [await freshImage(w)] },
    }),
  },
  nextWork: { expect: projectAnnotate(), prepare: (w) => ({ path: `/projects/${w.projectId}/work/next` }) },
  myWork: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/work/mine` }) },
  getImageWork: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/work` }) },
  // Past authorization: the caller holds no lease on a fresh image (409).
  releaseImage: {
    expect: projectAnnotate(409),
    prepare: async (w) => ({ path: `/images/${await freshImage(w)}/release` }),
  },
  submitImage: {
    expect: projectAnnotate(),
    prepare: async (w) => ({ path: `/images/${await freshImage(w)}/submit`, body: { revision: 0 } }),
  },
  decideImage: {
    expect: projectReview(200),
    prepare: async (w) => ({
      path: `/images/${await submittedImage(w)}/decision`,
      body: { decision: "accepted", revision: 0 },
    }),
  },
  reviewQueue: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/review-queue` }),
  },
  reviewDiff: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/review-diff` }) },
  imageHistory: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/history` }) },
  reportActivity: {
    expect: projectAnnotate(204),
    prepare: (w) => ({ path: `/images/${w.imageId}/activity`, body: { seconds: 5 } }),
  },
  annotatorStats: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/annotator-stats` }),
  },
  // Reviewer audits (issue 16).
  listAudits: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/audits` }),
  },
  auditImage: {
    expect: projectReview(200),
    prepare: async (w, caller) => ({
      path: `/images/${await acceptedForAudit(w, caller)}/audit`,
      body: { verdict: "upheld" },
    }),
  },
  reviewerPrecision: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/audits/precision` }),
  },
  // Issue 16: copies are read by reviewers, managers and admins.
  listImageCopies: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/images/${w.imageId}/copies` }),
  },
  getImageCopy: {
    expect: projectReview(200, false),
    // A fresh image each time: a copy routes its holder's own reads of the image to it.
    prepare: async (w) => {
      const imageId = await freshImage(w);
      await copyOf(imageId, w.userIds.annotatorMember);
      return { path: `/images/${imageId}/copies/${w.userIds.annotatorMember}` };
    },
  },
  getQualitySettings: {
    expect: projectManage(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/quality/settings` }),
  },
  putQualitySettings: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/quality/settings`, body: { auditPercent: 0 } }),
  },
  markGold: {
    expect: projectManage(200),
    prepare: async (w) => ({
      path: `/projects/${w.projectId}/images/gold`,
      body: { imageIds: [await freshImage(w)], gold: "honeypot" },
    }),
  },
  // Issue 18: bulk actions on the library (a status change on a fresh image) and its folders.
  bulkImages: {
    expect: projectManage(200),
    prepare: async (w) => ({
      path: `/projects/${w.projectId}/images/bulk`,
      body: { imageIds: [await freshImage(w)], action: { kind: "setStatus", status: "done" } },
    }),
  },
  imageFolders: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/folders` }) },
  listQualification: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/qualification` }),
  },
  resetQualification: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/qualification/${w.userIds.annotatorMember}/reset` }),
  },
  // Issue 17: a model version's numbers are for those who measure; the queue's order is a setting.
  modelEvaluation: {
    expect: projectReview(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/model-evaluation` }),
  },
  getActiveLearning: {
    expect: projectManage(200, false),
    prepare: (w) => ({ path: `/projects/${w.projectId}/active-learning` }),
  },
  putActiveLearning: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/active-learning`, body: { diversity: 2 } }),
  },
};

let w: World;
let t: TestApp | undefined;

const login = async (app: Express, email: string, password: string) => {
  const r = await request(app).post("/api/v1/auth/login").send({ email, password });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const cookie = (r.headers["set-cookie"] as unknown as string[] | undefined)?.[0]?.split(";")[0];
  if (!cookie) throw new Error("no session cookie");
  return cookie;
};

beforeAll(async () => {
  // A fresh install, set up through the API like a real one.
  t = await makeTestApp({}, { admin: false });
  const app = t.app;
  const setup = await request(app).post("/api/v1/setup").send(ADMIN);
  expect(setup.status, JSON.stringify(setup.body)).toBe(201);
  const adminCookie = await login(app, ADMIN.email, ADMIN.password);
  const mk = async (email: string, role: string) =>
    (
      await request(app)
        .post("/api/v1/users")
        .set({ cookie: adminCookie })
        .send({ email, name: email, role, password: PASSWORD })
    ).body.id as number;
  const userIds = {
    annotatorNonMember: await mk("outsider@example.com", "annotator"),
    annotatorMember: await mk("member@example.com", "annotator"),
    reviewerNonMember: await mk("reviewer-outsider@example.com", "reviewer"),
    reviewerMember: await mk("reviewer@example.com", "reviewer"),
    manager: await mk("manager@example.com", "manager"),
  };
  const project = await request(app)
    .post("/api/v1/projects")
    .set({ cookie: adminCookie })
    .send({ name: "P" });
  const projectId = project.body.id as number;
  for (const userId of [userIds.annotatorMember, userIds.reviewerMember])
    await request(app)
      .post(`/api/v1/projects/${projectId}/members`)
      .set({ cookie: adminCookie })
      .send({ userId });
  // The workflow rows: every submission is reviewed, and "next" hands out free images.
  await request(app)
    .patch(`/api/v1/projects/${projectId}/review-settings`)
    .set({ cookie: adminCookie })
    .send({ mode: "all", queue: true })
    .expect(200);
  const label = await request(app)
    .post(`/api/v1/projects/${projectId}/labels`)
    .set({ cookie: adminCookie })
    .send({ name: "car" });
  const up = await request(app)
    .post(`/api/v1/projects/${projectId}/images`)
    .set({ cookie: adminCookie })
    .attach("files", await png({ width: 16, height: 16 }), "a.png");
  const token = async (scope: "read" | "write") =>
    (await request(app).post("/api/v1/tokens").set({ cookie: adminCookie }).send({ name: scope, scope })).body
      .token as string;
  const headers: World["headers"] = {
    anonymous: {},
    annotatorNonMember: { cookie: await login(app, "outsider@example.com", PASSWORD) },
    annotatorMember: { cookie: await login(app, "member@example.com", PASSWORD) },
    reviewerNonMember: { cookie: await login(app, "reviewer-outsider@example.com", PASSWORD) },
    reviewerMember: { cookie: await login(app, "reviewer@example.com", PASSWORD) },
    manager: { cookie: await login(app, "manager@example.com", PASSWORD) },
    admin: { cookie: await login(app, ADMIN.email, ADMIN.password) },
    readToken: { authorization: `Bearer ${await token("read")}` },
    writeToken: { authorization: `Bearer ${await token("write")}` },
  };
  w = {
    app,
    projectId,
    labelId: label.body.id,
    imageId: up.body.results[0].image.id,
    adminCookie,
    headers,
    userIds,
  };
});

afterAll(() => t?.cleanup());

/**
 * One test per row and caller: the call the row prepares, made as that caller, answers the status
 * the row expects (an error with the one envelope). Every section of the matrix runs through here.
 */
function runRows(title: string, rows: Rows) {
  describe(title, () => {
    for (const [name, rowSpec] of Object.entries(rows) as [EndpointName, Row][])
      describe(name, () => {
        for (const caller of CALLERS)
          it(`${caller} -> ${rowSpec.expect[caller]}`, async () => {
            const e = api[name];
            const call = await rowSpec.prepare(w, caller);
            // Logging out must not end the sessions the other rows use.
            const headers =
              name === "logout" && "cookie" in w.headers[caller]
                ? {
                    cookie: await login(
                      w.app,
                      emailOf(caller),
                      caller === "admin" ? ADMIN.password : PASSWORD,
                    ),
                  }
                : w.headers[caller];
            let req = request(w.app)
              [e.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete"](`/api/v1${call.path}`)
              .set(headers);
            if (call.attach)
              req = req.attach(
                "files",
                await png({ width: 4, height: 4, color: "#00ff00" }),
                `n-${caller}.png`,
              );
            else if (call.body !== undefined) req = req.send(call.body as object);
            const res = await req;
            // Signing in rotates the caller's session: keep using the new one.
            const rotated = (res.headers["set-cookie"] as unknown as string[] | undefined)?.[0]?.split(
              ";",
            )[0];
            if (name === "login" && rotated && "cookie" in w.headers[caller])
              w.headers[caller] = { cookie: rotated };
            expect(res.status, `${e.method} ${call.path} as ${caller}: ${JSON.stringify(res.body)}`).toBe(
              rowSpec.expect[caller],
            );
            if (res.status >= 400) expect(res.body.error?.code).toBeTypeOf("string");
          });
      });
  });
}

describe("authorization matrix", () => {
  it("has a row for every contract endpoint", () => {
    const missing = (Object.keys(api) as EndpointName[]).filter(
      (n) => !ROWS[n] && !ISSUE_ROWS[n] && !QUALITY_ROWS[n] && !PREDICTION_ROWS[n] && !BACKEND_ROWS[n],
    );
    expect(missing, `add rows for: ${missing.join(", ")}`).toEqual([]);
  });
});

runRows("authorization matrix", ROWS);

const emailOf = (c: Caller) =>
  ({
    annotatorNonMember: "outsider@example.com",
    annotatorMember: "member@example.com",
    reviewerNonMember: "reviewer-outsider@example.com",
    reviewerMember: "reviewer@example.com",
    manager: "manager@example.com",
    admin: ADMIN.email,
  })[c as "admin"] ?? ADMIN.email;

// ---------------------------------------------------------------- issues (issue 15, modules/review-issues)
// Kept in a block of their own, next to the workflow's rows rather than among them.

/** Reviewers' steps: the member annotator is refused (403), like a read-only token. */
const projectReviewOnly = (ok: number): Expect => ({
  ...all(ok),
  anonymous: 401,
  annotatorNonMember: 404,
  annotatorMember: 403,
  reviewerNonMember: 404,
  readToken: 403,
});
/**
 * An image of the world's project submitted by the member annotator, whose work its issues are
 * about; the world's own image gets no issue, so no other row meets one.
 */
let issueImage: number | undefined;
const issueImageOf = async (w: World): Promise<number> => {
  if (issueImage === undefined) {
    issueImage = await freshImage(w);
    await t?.sql
      .updateTable("images")
      .set({ submitted_by: w.userIds.annotatorMember, attempt: 1, review_state: "pending" })
      .where("id", "=", issueImage)
      .execute();
  }
  return issueImage;
};
const issueOf = async (w: World, state: "open" | "resolved" = "open") => {
  const r = await request(w.app)
    .post(`/api/v1/images/${await issueImageOf(w)}/issues`)
    .set(asAdmin(w))
    .send({ anchor: { kind: "point", x: 1, y: 1 }, category: "missing" });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const id = r.body.id as number;
  if (state === "resolved")
    expect((await request(w.app).post(`/api/v1/issues/${id}/resolve`).set(asAdmin(w)).send({})).status).toBe(
      200,
    );
  return id;
};

const ISSUE_ROWS: Rows = {
  listImageIssues: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/images/${await issueImageOf(w)}/issues` }),
  },
  listProjectIssues: { expect: projectRead(), prepare: (w) => ({ path: `/projects/${w.projectId}/issues` }) },
  createIssue: {
    expect: projectReviewOnly(201),
    prepare: async (w) => ({
      path: `/images/${await issueImageOf(w)}/issues`,
      body: { anchor: { kind: "region", x: 1, y: 1, width: 2, height: 2 }, category: "extra" },
    }),
  },
  // The member annotator is the one whose work the issue is about.
  fixIssue: {
    expect: projectAnnotate(),
    prepare: async (w) => ({ path: `/issues/${await issueOf(w)}/fix`, body: {} }),
  },
  resolveIssue: {
    expect: projectReviewOnly(200),
    prepare: async (w) => ({ path: `/issues/${await issueOf(w)}/resolve`, body: {} }),
  },
  reopenIssue: {
    expect: projectReviewOnly(200),
    prepare: async (w) => ({ path: `/issues/${await issueOf(w, "resolved")}/reopen`, body: {} }),
  },
  commentIssue: {
    expect: projectAnnotate(201),
    prepare: async (w) => ({ path: `/issues/${await issueOf(w)}/comments`, body: { body: "why?" } }),
  },
};

runRows("authorization matrix: issues", ISSUE_ROWS);

// ---------------------------------------------------------------- the QC report (issue 16, modules/quality)

/**
 * A gold image of the world's project with the member annotator's submitted copy, scored: the
 * comparison every caller who may read the project asks for (an annotator their own).
 */
let goldImage: number | undefined;
const goldImageOf = async (w: World): Promise<number> => {
  if (goldImage === undefined) {
    const id = await freshImage(w);
    goldImage = id;
    // A qualification image: its comparison is one an annotator may read (a honeypot's is not).
    await t?.sql.updateTable("images").set({ gold: "qualification" }).where("id", "=", id).execute();
    const at = new Date().toISOString();
    await t?.sql
      .insertInto("image_copies")
      .values({
        image_id: id,
        user_id: w.userIds.annotatorMember,
        purpose: "qualification",
        revision: 1,
        shapes: "[]",
        tags: "[]",
        state: "submitted",
        created_at: at,
        updated_at: at,
        submitted_at: at,
      })
      .execute();
    const r = await request(w.app).post(`/api/v1/projects/${w.projectId}/quality/rescore`).set(asAdmin(w));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return goldImage;
};

const QUALITY_ROWS: Rows = {
  // An annotator gets their own numbers (asking for someone else's is a 403: quality tests).
  qualityReport: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/quality/report` }),
  },
  qualityImages: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/quality/images` }),
  },
  qualityComparison: {
    expect: projectRead(),
    prepare: async (w) => ({
      path: `/images/${await goldImageOf(w)}/quality/comparison?userId=${w.userIds.annotatorMember}`,
    }),
  },
  rescoreQuality: {
    expect: projectManage(200),
    prepare: (w) => ({ path: `/projects/${w.projectId}/quality/rescore` }),
  },
};

runRows("authorization matrix: quality report", QUALITY_ROWS);

// ---------------------------------------------------------------- predictions (issue 17, modules/predictions)

/** A run of one box prediction on the world's image (a fresh one for the deletion row). */
const predictionRun = async (w: World): Promise<number> => {
  if (!t) throw new Error("no test app");
  const run = await createPredictionRun(
    {
      sql: t.sql,
      dialect: t.dialect,
      ...(t.dialect === "sqlite" ? { db: t.db } : t.pool ? { pgPool: t.pool } : {}),
      now: () => new Date().toISOString(),
    },
    {
      projectId: w.projectId,
      modelName: "m",
      modelVersion: "1",
      source: "coco-results",
      labelMap: [],
      params: {},
      createdBy: null,
      predictions: [
        {
          imageId: w.imageId,
          labelId: w.labelId,
          geometry: { type: "box", x: 0, y: 0, width: 2, height: 2 },
          score: 0.5,
        },
      ],
    },
  );
  return run.id;
};
let sharedRun: number | undefined;
const runOf = async (w: World) => {
  sharedRun ??= await predictionRun(w);
  return sharedRun;
};

const PREDICTION_ROWS: Rows = {
  listPredictionRuns: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/prediction-runs` }),
  },
  getPredictionRun: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/prediction-runs/${await runOf(w)}` }),
  },
  updatePredictionRun: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/prediction-runs/${await runOf(w)}`, body: { modelVersion: "2" } }),
  },
  deletePredictionRun: {
    expect: projectManage(204),
    prepare: async (w) => ({ path: `/prediction-runs/${await predictionRun(w)}` }),
  },
  importPredictions: {
    expect: projectManage(200),
    prepare: (w) => ({
      path: `/projects/${w.projectId}/predictions/import?modelName=m&modelVersion=1&dryRun=true`,
      body: [],
    }),
  },
  imagePredictions: { expect: projectRead(), prepare: (w) => ({ path: `/images/${w.imageId}/predictions` }) },
  decidePredictions: {
    expect: projectAnnotate(200),
    prepare: (w) => ({ path: `/images/${w.imageId}/predictions/decisions`, body: {} }),
  },
  acceptPredictionRun: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/prediction-runs/${await runOf(w)}/accept`, body: { minScore: 1 } }),
  },
  predictionCalibration: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/prediction-runs/${await runOf(w)}/calibration` }),
  },
};

runRows("authorization matrix: predictions", PREDICTION_ROWS);

/**
 * A model backend of the world's project that answers nothing (a closed loopback port, 1 s
 * timeout): the rows test who may call, not the protocol (model-backends.test.ts does).
 */
const freshBackend = async (w: World): Promise<number> => {
  if (!t) throw new Error("no test app");
  const now = new Date().toISOString();
  return (
    await t.sql
      .insertInto("model_backends")
      .values({
        project_id: w.projectId,
        name: "detector",
        url: "http://127.0.0.1:9",
        timeout_ms: 1000,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
};
let sharedBackend: number | undefined;
const backendOf = async (w: World) => {
  sharedBackend ??= await freshBackend(w);
  return sharedBackend;
};
/** A job another (live) process holds, so this app's worker leaves it running for cancel to stop. */
const heldJob = async (w: World): Promise<number> => {
  if (!t) throw new Error("no test app");
  const now = new Date().toISOString();
  return (
    await t.sql
      .insertInto("model_backend_jobs")
      .values({
        backend_id: await backendOf(w),
        project_id: w.projectId,
        state: "running",
        total: 1,
        public_url: "http://127.0.0.1:1",
        leased_by: "another-process",
        lease_until: Date.now() + 3_600_000,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
};

const BACKEND_ROWS: Rows = {
  listModelBackends: {
    expect: projectRead(),
    prepare: (w) => ({ path: `/projects/${w.projectId}/model-backends` }),
  },
  createModelBackend: {
    expect: projectManage(201),
    prepare: (w) => ({
      path: `/projects/${w.projectId}/model-backends`,
      body: { name: "yolo", url: "http://127.0.0.1:9" },
    }),
  },
  getModelBackend: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}` }),
  },
  updateModelBackend: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}`, body: { batchSize: 4 } }),
  },
  deleteModelBackend: {
    expect: projectManage(204),
    prepare: async (w) => ({ path: `/model-backends/${await freshBackend(w)}` }),
  },
  testModelBackend: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}/test`, body: {} }),
  },
  startModelBackendJob: {
    expect: projectManage(201),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}/jobs`, body: { images: "all" } }),
  },
  listModelBackendJobs: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}/jobs` }),
  },
  getModelBackendJob: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/model-backend-jobs/${await heldJob(w)}` }),
  },
  cancelModelBackendJob: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/model-backend-jobs/${await heldJob(w)}/cancel` }),
  },
  trainModelBackend: {
    expect: projectManage(200),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}/train` }),
  },
  listModelBackendWebhooks: {
    expect: projectRead(),
    prepare: async (w) => ({ path: `/model-backends/${await backendOf(w)}/webhooks` }),
  },
};

runRows("authorization matrix: model backends", BACKEND_ROWS);
