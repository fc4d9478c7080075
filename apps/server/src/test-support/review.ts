import type { Role } from "@labelbench/schema";
import { ImageWork } from "@labelbench/schema";
import type { Express } from "express";
import request from "supertest";
import { expect } from "vitest";
import { createLabel, createProject, uploadOk } from "./api.js";
import { insertUserWithToken, makeTestApp, type TestApp } from "./app.js";
import { png } from "./images.js";

/**
 * A project for the quality workflow's tests (issue 15): two annotators, a reviewer and a
 * manager (each with a write token, the first three members), a label, `images` small PNGs named
 * in order, and a clock the test moves (leases expire by it).
 */
export interface ReviewWorld {
  t: TestApp;
  projectId: number;
  labelId: number;
  imageIds: number[];
  users: Record<Person, { id: number; token: string; email: string }>;
  clock: { ms: number };
  /** A request as one of the people (`admin`: the test app's own admin). */
  as: (who: Person | "admin") => Agent;
}
export type Person = "ann1" | "ann2" | "rev" | "mgr";

export interface Agent {
  get: (path: string) => request.Test;
  post: (path: string, body?: object) => request.Test;
  patch: (path: string, body?: object) => request.Test;
  put: (path: string, body?: object) => request.Test;
}

const ROLES: Record<Person, Role> = { ann1: "annotator", ann2: "annotator", rev: "reviewer", mgr: "manager" };

export const agent = (app: Express, token: string | null): Agent => {
  const auth = <T extends request.Test>(r: T) => (token ? r.set("authorization", `Bearer ${token}`) : r);
  return {
    get: (p) => auth(request(app).get(`/api/v1${p}`)),
    post: (p, body) => auth(request(app).post(`/api/v1${p}`)).send(body ?? {}),
    patch: (p, body) => auth(request(app).patch(`/api/v1${p}`)).send(body ?? {}),
    put: (p, body) => auth(request(app).put(`/api/v1${p}`)).send(body ?? {}),
  };
};

export const makeReviewWorld = async (images = 4, names?: string[]): Promise<ReviewWorld> => {
  const clock = { ms: Date.parse("2026-03-02T09:00:00.000Z") };
  const t = await makeTestApp({}, { now: () => new Date(clock.ms).toISOString() });
  const { id: projectId } = await createProject(t.app, "Review");
  const { id: labelId } = await createLabel(t.app, projectId, { name: "car" });
  const files = await Promise.all(
    Array.from({ length: images }, async (_, i) => ({
      name: `img${String(i + 1).padStart(3, "0")}.png`,
      data: await png({
        width: 400,
        height: 300,
        color: `#${(0x102030 + i * 0x050301).toString(16).padStart(6, "0")}`,
      }),
    })),
  );
  const results = await uploadOk(t.app, projectId, files);
  const imageIds = results.map((r) => {
    if (r.status !== "created") throw new Error(`upload: ${JSON.stringify(r)}`);
    return r.image.id;
  });
  // Folder names are given by a rename: a multipart file name loses its folders on the way.
  for (const [i, id] of imageIds.entries()) {
    const name = names?.[i];
    if (name === undefined) continue;
    const r = await request(t.app).patch(`/api/v1/images/${id}`).send({ fileName: name });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const users = {} as ReviewWorld["users"];
  for (const p of Object.keys(ROLES) as Person[]) {
    const email = `${p}@example.com`;
    const u = await insertUserWithToken(t.sql, { email, name: p.toUpperCase(), role: ROLES[p] });
    users[p] = { id: u.userId, token: u.token, email };
    if (p !== "mgr") {
      const r = await request(t.app).post(`/api/v1/projects/${projectId}/members`).send({ userId: u.userId });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }
  return {
    t,
    projectId,
    labelId,
    imageIds,
    users,
    clock,
    as: (who) => agent(t.app, who === "admin" ? null : users[who].token),
  };
};

/** The reply's ImageWork, after checking the status. */
export const workOf = (res: { status: number; body: unknown }, status = 200): ImageWork => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return ImageWork.parse(res.body);
};

export const revisionOf = async (w: ReviewWorld, imageId: number): Promise<number> =>
  (await w.as("admin").get(`/images/${imageId}/annotations`)).body.revision as number;

/** Saves one box (a new shape) on the image as `who`, at the current revision; returns the reply. */
export const addBox = async (w: ReviewWorld, who: Person | "admin", imageId: number, x = 1, id?: string) =>
  w.as(who).patch(`/images/${imageId}/annotations`, {
    baseRevision: await revisionOf(w, imageId),
    upsert: [
      {
        id: id ?? `b-${x}-${Math.random().toString(36).slice(2)}`,
        labelId: w.labelId,
        geometry: { type: "box", x, y: 1, width: 10, height: 10 },
      },
    ],
  });

/** Annotates (one box) and submits the image as `who`; returns the work after the submission. */
export const annotateAndSubmit = async (w: ReviewWorld, who: Person, imageId: number, x = 1) => {
  const saved = await addBox(w, who, imageId, x);
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  return workOf(await w.as(who).post(`/images/${imageId}/submit`, { revision: saved.body.revision }));
};

export const setReview = async (w: ReviewWorld, patch: object) => {
  const r = await w.as("mgr").patch(`/projects/${w.projectId}/review-settings`, patch);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
