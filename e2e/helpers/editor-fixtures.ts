import { deflateSync } from "node:zlib";
import { API_BASE } from "@labelbench/schema";
import type { APIRequestContext } from "@playwright/test";
import { expect } from "@playwright/test";

/** Test data for the editor specs, made through the public API like a user's client would. */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/**
 * A small RGB PNG with a gradient and a few solid blocks, so screenshots show a recognisable scene and
 * each image of a set differs (the server deduplicates identical bytes).
 */
export const makePng = (width: number, height: number, seed: number): Buffer => {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const blocks = [
    { x: 0.12, y: 0.18, w: 0.28, h: 0.3, c: [220, 90, 60] },
    { x: 0.55, y: 0.45, w: 0.3, h: 0.38, c: [60, 140, 220] },
    { x: 0.2, y: 0.62, w: 0.18, h: 0.22, c: [240, 200, 60] },
  ];
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      let r = 40 + (((x * 90) / width + seed * 37) % 90);
      let g = 60 + (y * 100) / height;
      let b = 70 + ((x + y + seed * 13) % 64);
      for (const k of blocks) {
        if (x >= k.x * width && x < (k.x + k.w) * width && y >= k.y * height && y < (k.y + k.h) * height) {
          [r, g, b] = k.c as [number, number, number];
        }
      }
      // A one-pixel checker in the top-left corner shows whether zoomed pixels stay crisp.
      if (x < 16 && y < 16) r = g = b = (x + y) % 2 === 0 ? 255 : 0;
      const o = row + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
};

export interface SeededProject {
  projectId: number;
  labels: { id: number; name: string; hotkey: string | null; color: string }[];
  imageIds: number[];
}

const API = API_BASE;

export const seedProject = async (
  request: APIRequestContext,
  opts: { name: string; images: number; width?: number; height?: number },
): Promise<SeededProject> => {
  const p = await request.post(`${API}/projects`, { data: { name: opts.name } });
  expect(p.status(), await p.text()).toBe(201);
  const projectId = (await p.json()).id as number;
  const labels = [];
  for (const l of [
    { name: "car", color: "#ef4444", hotkey: "1" },
    { name: "person", color: "#22c55e", hotkey: "2" },
    { name: "sign", color: "#3b82f6", hotkey: "3", shapeTypes: ["box"] },
  ]) {
    const r = await request.post(`${API}/projects/${projectId}/labels`, { data: l });
    expect(r.status(), await r.text()).toBe(201);
    labels.push(await r.json());
  }
  const imageIds: number[] = [];
  for (let i = 0; i < opts.images; i++) {
    const r = await request.post(`${API}/projects/${projectId}/images`, {
      multipart: {
        files: {
          name: `street-${String(i + 1).padStart(2, "0")}.png`,
          mimeType: "image/png",
          buffer: makePng(opts.width ?? 640, opts.height ?? 480, i + 1),
        },
      },
    });
    expect(r.ok(), await r.text()).toBe(true);
    const result = (await r.json()).results[0];
    expect(result?.status, JSON.stringify(result)).toBe("created");
    imageIds.push(result.image.id);
  }
  return { projectId, labels, imageIds };
};

export interface ServerSet {
  revision: number;
  annotations: { id: string; labelId: number; geometry: Record<string, unknown> & { type: string } }[];
  tags: number[];
}

export const getAnnotations = async (request: APIRequestContext, imageId: number): Promise<ServerSet> => {
  const r = await request.get(`${API}/images/${imageId}/annotations`);
  expect(r.ok()).toBe(true);
  return r.json();
};

export const putAnnotations = async (
  request: APIRequestContext,
  imageId: number,
  body: { baseRevision: number; annotations: unknown[]; tags?: number[] },
) => {
  const r = await request.put(`${API}/images/${imageId}/annotations`, { data: body });
  expect(r.ok(), await r.text()).toBe(true);
  return (await r.json()) as ServerSet;
};
