import type { Image, Label, LabelCreate, Project, UploadReply, UploadResult } from "@labelbench/schema";
import {
  ERROR_DETAILS,
  ErrorEnvelope,
  Image as ImageSchema,
  Label as LabelSchema,
  Project as ProjectSchema,
  UploadReply as UploadReplySchema,
} from "@labelbench/schema";
import type { Express } from "express";
import request from "supertest";
import { expect } from "vitest";

/** Small request helpers that check the status and parse replies with the shared schemas. */
export const createProject = async (app: Express, name = "Test project"): Promise<Project> => {
  const res = await request(app).post("/api/v1/projects").send({ name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return ProjectSchema.parse(res.body);
};

export const createLabel = async (app: Express, projectId: number, body: LabelCreate): Promise<Label> => {
  const res = await request(app).post(`/api/v1/projects/${projectId}/labels`).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return LabelSchema.parse(res.body);
};

export interface UploadFile {
  name: string;
  data: Buffer;
}

/**
 * A multipart body written by hand, the file names as RFC 5987 `filename*` (what a browser sends
 * for a folder's files, and the only way to put NUL or CR LF into a part's name).
 */
export const multipart = (files: { name: string; data: Buffer }[]) => {
  const boundary = "----labelbench-test-boundary";
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename*=utf-8''${encodeURIComponent(f.name)}\r\n` +
          "Content-Type: application/octet-stream\r\n\r\n",
      ),
      f.data,
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
};

/** Posts one multipart request with every file in the field `files`. */
export const upload = async (app: Express, projectId: number, files: UploadFile[]) => {
  let req = request(app).post(`/api/v1/projects/${projectId}/images`);
  for (const f of files) req = req.attach("files", f.data, f.name);
  return req;
};

export const uploadOk = async (
  app: Express,
  projectId: number,
  files: UploadFile[],
): Promise<UploadResult[]> => {
  const res = await upload(app, projectId, files);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (UploadReplySchema.parse(res.body) as UploadReply).results;
};

/** Uploads one file that must be created, and returns its image. */
export const uploadImage = async (app: Express, projectId: number, file: UploadFile): Promise<Image> => {
  const [r] = await uploadOk(app, projectId, [file]);
  if (r?.status !== "created") throw new Error(`expected created, got ${JSON.stringify(r)}`);
  return ImageSchema.parse(r.image);
};

/** Asserts the one error envelope and returns it parsed. */
export const expectError = (res: { status: number; body: unknown }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const env = ErrorEnvelope.parse(res.body);
  expect(env.error.code).toBe(code);
  expect(env.error.message.length).toBeGreaterThan(0);
  // Every refusal a test meets also checks its details against the code's schema.
  const details = ERROR_DETAILS[env.error.code].safeParse(env.error.details);
  expect(details.error?.issues, `details of ${code}: ${JSON.stringify(env.error.details)}`).toBeUndefined();
  return env.error;
};

/** The `path`s listed in a 400's details. */
export const issuePaths = (details: unknown): string[] =>
  Array.isArray(details) ? details.map((d) => (d as { path: string }).path) : [];
