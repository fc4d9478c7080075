import {
  type AnnotationInput,
  AnnotationSet,
  API_BASE,
  type ImageStatus,
  Label,
  Project,
  UploadReply,
} from "@labelbench/schema";
import type { APIRequestContext } from "@playwright/test";
import type { TestFile } from "./images";

/**
 * Set-up through the API, for specs that test something else than how the data got there. Replies
 * are parsed with the shared schemas, so a contract drift fails here with a clear message.
 */
const API = API_BASE;

const ok = async <T>(
  res: Awaited<ReturnType<APIRequestContext["get"]>>,
  parse: (v: unknown) => T,
): Promise<T> => {
  if (!res.ok()) throw new Error(`${res.url()} answered ${res.status()}: ${await res.text()}`);
  return parse(await res.json());
};

export const createProject = async (request: APIRequestContext, name: string, description = "") =>
  ok(await request.post(`${API}/projects`, { data: { name, description } }), (v) => Project.parse(v));

export const createLabels = async (request: APIRequestContext, projectId: number, names: string[]) =>
  ok(await request.post(`${API}/projects/${projectId}/labels/bulk`, { data: { names } }), (v) =>
    Label.array().parse((v as { items: unknown }).items),
  );

export const listLabels = async (request: APIRequestContext, projectId: number) =>
  ok(await request.get(`${API}/projects/${projectId}/labels`), (v) =>
    Label.array().parse((v as { items: unknown }).items),
  );

/** Uploads files in one multipart request (field `files`), answering the server's per-file results. */
export const uploadFiles = async (request: APIRequestContext, projectId: number, files: TestFile[]) => {
  const form = new FormData();
  for (const f of files)
    form.append("files", new Blob([new Uint8Array(f.buffer)], { type: f.mimeType }), f.name);
  return ok(
    await request.post(`${API}/projects/${projectId}/images`, { multipart: form }),
    (v) => UploadReply.parse(v).results,
  );
};

export const setImageStatus = async (request: APIRequestContext, imageId: number, status: ImageStatus) =>
  ok(await request.patch(`${API}/images/${imageId}`, { data: { status } }), (v) => v);

/** Replaces an image's annotations (reads the current revision first). */
export const putAnnotations = async (
  request: APIRequestContext,
  imageId: number,
  annotations: AnnotationInput[],
) => {
  const current = await ok(await request.get(`${API}/images/${imageId}/annotations`), (v) =>
    AnnotationSet.parse(v),
  );
  return ok(
    await request.put(`${API}/images/${imageId}/annotations`, {
      data: { baseRevision: current.revision, annotations, tags: current.tags },
    }),
    (v) => AnnotationSet.parse(v),
  );
};
