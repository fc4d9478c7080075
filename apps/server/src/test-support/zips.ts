import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Image, Label } from "@labelbench/schema";
import type { Express } from "express";
import request from "supertest";
import { readAll, readZip } from "../zip/zip-reader.js";
import { ZipWriter } from "../zip/zip-writer.js";
import { createLabel, createProject, uploadImage } from "./api.js";
import { jpeg, png } from "./images.js";

/** Test-only helpers: zips in and out of the API as plain maps of path -> bytes. */

const binary = (res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on("data", (c: Buffer) => parts.push(c));
  res.on("end", () => cb(null, Buffer.concat(parts)));
};

/** GETs an export; returns status, headers and the raw body (zip bytes or an error envelope). */
export const getExport = async (app: Parameters<typeof request>[0], projectId: number, query: string) => {
  const res = await request(app)
    .get(`/api/v1/projects/${projectId}/export?${query}`)
    .buffer(true)
    .parse(binary as never);
  return { status: res.status, headers: res.headers as Record<string, string>, body: res.body as Buffer };
};

const tmp = () =>
  path.join(os.tmpdir(), `lb-dataset-${process.pid}-${Math.random().toString(36).slice(2)}.zip`);

export const unzip = async (zip: Buffer): Promise<Map<string, Buffer>> => {
  const file = tmp();
  fs.writeFileSync(file, zip);
  try {
    const { items, close } = await readZip(file);
    const out = new Map<string, Buffer>();
    for (const it of items) out.set(it.path, await readAll(await it.open(), 1 << 30, it.path));
    close();
    return out;
  } finally {
    fs.rmSync(file, { force: true });
  }
};

/** Python's zipfile checks every CRC: an independent reader for what we write. */
export const pythonZipCheck = (zip: Buffer): string => {
  const file = tmp();
  fs.writeFileSync(file, zip);
  try {
    return execFileSync("python3", [
      "-c",
      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip())",
      file,
    ])
      .toString()
      .trim();
  } finally {
    fs.rmSync(file, { force: true });
  }
};

export const makeZip = async (files: Iterable<[string, Buffer | string]>): Promise<Buffer> => {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      parts.push(c);
      cb();
    },
  });
  const done = new Promise<void>((r) => sink.on("finish", () => r()));
  const z = new ZipWriter(sink);
  for (const [p, data] of files) await z.addBuffer(p, typeof data === "string" ? Buffer.from(data) : data);
  await z.finish();
  await done;
  return Buffer.concat(parts);
};

/** A fixture folder as a zip, the way a user would zip it (files under one root folder). */
export const zipDirectory = (dir: string, root = path.basename(dir)): Promise<Buffer> => {
  const files: [string, Buffer][] = [];
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(dir, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files.push([`${root}/${p}`, fs.readFileSync(path.join(dir, p))]);
    }
  };
  walk("");
  return makeZip(files);
};

/**
 * The project the export and version suites write zips of: three labels and three images (a
 * 40 x 20 PNG, a 30 x 30 JPEG, a 10 x 10 PNG), named by the caller; each suite adds its own shapes.
 */
export const seedZipProject = async (
  app: Express,
  names: { project: string; labels: [string, string, string]; images: [string, string, string] },
): Promise<{ projectId: number; labels: [Label, Label, Label]; images: [Image, Image, Image] }> => {
  const projectId = (await createProject(app, names.project)).id;
  const label = (name: string) => createLabel(app, projectId, { name });
  const labels: [Label, Label, Label] = [
    await label(names.labels[0]),
    await label(names.labels[1]),
    await label(names.labels[2]),
  ];
  const [a, b, c] = names.images;
  const images: [Image, Image, Image] = [
    await uploadImage(app, projectId, { name: a, data: await png({ width: 40, height: 20, seed: 1 }) }),
    await uploadImage(app, projectId, { name: b, data: await jpeg({ width: 30, height: 30, seed: 2 }) }),
    await uploadImage(app, projectId, { name: c, data: await png({ width: 10, height: 10, seed: 3 }) }),
  ];
  return { projectId, labels, images };
};
