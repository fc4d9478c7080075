import type { Image, UploadResult } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { createUploadQueue, planBatches, type QueuedFile, type UploadTransport } from "./upload-queue";

const file = (index: number, size = 100, name = `img_${index}.jpg`): QueuedFile<string> => ({
  index,
  file: name,
  name,
  path: `folder/${name}`,
  size,
});

const image = (id: number, fileName: string): Image => ({
  id,
  projectId: 1,
  fileName,
  sha256: "0".repeat(64),
  width: 10,
  height: 10,
  format: "jpeg",
  byteSize: 100,
  status: "new",
  annotationCount: 0,
  tiles: { state: "none", progress: 0, tileSize: null, levels: null },
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
});

/** A server that answers `created` for every file unless the name says otherwise. */
const answer = (f: QueuedFile<string>): UploadResult => {
  if (f.name.endsWith(".txt")) {
    return { fileName: f.name, status: "rejected", code: "UNSUPPORTED_MEDIA_TYPE", reason: "not an image" };
  }
  if (f.name.startsWith("dup")) return { fileName: f.name, status: "duplicate", image: image(999, f.name) };
  return { fileName: f.name, status: "created", image: image(1000 + f.index, f.name) };
};

interface Pending {
  files: readonly QueuedFile<string>[];
  progress: (f: number) => void;
  resolve: (r: UploadResult[]) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal;
}

/** A transport whose requests the test completes by hand, to observe concurrency and progress. */
const manualTransport = () => {
  const pending: Pending[] = [];
  const transport: UploadTransport<string> = {
    send: (files, progress, signal) =>
      new Promise((resolve, reject) => {
        const p = { files, progress, resolve, reject, signal };
        pending.push(p);
        signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      }),
  };
  return { transport, pending };
};

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("planBatches", () => {
  it("cuts by file count", () => {
    const files = Array.from({ length: 7 }, (_, i) => file(i));
    expect(planBatches(files, { maxFiles: 3, maxBytes: 1e9 }).map((b) => b.map((f) => f.index))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6],
    ]);
  });

  it("cuts by bytes, sends an oversize file alone, keeps order", () => {
    const files = [file(0, 40), file(1, 40), file(2, 40), file(3, 500), file(4, 10)];
    expect(planBatches(files, { maxFiles: 10, maxBytes: 100 }).map((b) => b.map((f) => f.index))).toEqual([
      [0, 1],
      [2],
      [3],
      [4],
    ]);
  });

  it("plans nothing for nothing", () => {
    expect(planBatches([], { maxFiles: 3, maxBytes: 10 })).toEqual([]);
  });
});

describe("createUploadQueue", () => {
  it("keeps at most `concurrency` requests in flight and runs them all", async () => {
    const { transport, pending } = manualTransport();
    const files = Array.from({ length: 10 }, (_, i) => file(i));
    const q = createUploadQueue({ files, transport, limits: { maxFiles: 2, maxBytes: 1e9 }, concurrency: 2 });
    const done = q.start();
    await flush();
    expect(pending).toHaveLength(2);
    pending[0]?.resolve(pending[0].files.map(answer));
    await flush();
    expect(pending).toHaveLength(3);
    expect(q.progress().finishedFiles).toBe(2);
    for (let i = 1; i < 5; i++) {
      const p = pending[i];
      p?.resolve(p.files.map(answer));
      await flush();
    }
    const final = await done;
    expect(pending).toHaveLength(5);
    expect(final).toMatchObject({ state: "done", finishedFiles: 10, created: 10, sentBytes: 1000 });
  });

  it("aggregates byte progress across batches in flight", async () => {
    const { transport, pending } = manualTransport();
    const files = [file(0, 100), file(1, 300), file(2, 600)];
    let changes = 0;
    const q = createUploadQueue({
      files,
      transport,
      limits: { maxFiles: 1, maxBytes: 1e9 },
      concurrency: 3,
      onChange: () => changes++,
    });
    void q.start();
    await flush();
    pending[1]?.progress(0.5);
    pending[2]?.progress(0.25);
    expect(q.progress()).toMatchObject({ totalBytes: 1000, sentBytes: 300, processingFiles: 0 });
    pending[1]?.progress(1);
    expect(q.progress()).toMatchObject({ sentBytes: 450, processingFiles: 1 });
    // Progress never goes backwards, even if the transport reports out of order.
    pending[2]?.progress(0.1);
    expect(q.progress().sentBytes).toBe(450);
    expect(changes).toBeGreaterThan(3);
  });

  it("maps the server's per-file answers onto files, in order, with reasons", async () => {
    const transport: UploadTransport<string> = { send: async (files) => files.map(answer) };
    const files = [file(0), file(1, 100, "notes.txt"), file(2, 100, "dup.jpg"), file(3)];
    const q = createUploadQueue({ files, transport, limits: { maxFiles: 3, maxBytes: 1e9 } });
    const final = await q.start();
    expect(final).toMatchObject({ created: 2, duplicate: 1, rejected: 1, failed: 0, finishedFiles: 4 });
    expect(q.results()).toEqual([
      {
        index: 0,
        name: "img_0.jpg",
        path: "folder/img_0.jpg",
        size: 100,
        outcome: { kind: "created", imageId: 1000 },
      },
      {
        index: 1,
        name: "notes.txt",
        path: "folder/notes.txt",
        size: 100,
        outcome: { kind: "rejected", code: "UNSUPPORTED_MEDIA_TYPE", reason: "not an image" },
      },
      {
        index: 2,
        name: "dup.jpg",
        path: "folder/dup.jpg",
        size: 100,
        outcome: { kind: "duplicate", imageId: 999 },
      },
      {
        index: 3,
        name: "img_3.jpg",
        path: "folder/img_3.jpg",
        size: 100,
        outcome: { kind: "created", imageId: 1003 },
      },
    ]);
  });

  it("fails only the files of a request that failed, with its message, and carries on", async () => {
    let call = 0;
    const transport: UploadTransport<string> = {
      send: async (files) => {
        call++;
        if (call === 2) throw new Error("server answered 500 Internal Server Error");
        return files.map(answer);
      },
    };
    const files = Array.from({ length: 6 }, (_, i) => file(i));
    const q = createUploadQueue({ files, transport, limits: { maxFiles: 2, maxBytes: 1e9 }, concurrency: 1 });
    const final = await q.start();
    expect(final).toMatchObject({ state: "done", created: 4, failed: 2, sentBytes: 600 });
    expect(q.results().filter((r) => r.outcome.kind === "failed")).toEqual([
      expect.objectContaining({
        index: 2,
        outcome: { kind: "failed", reason: "server answered 500 Internal Server Error" },
      }),
      expect.objectContaining({
        index: 3,
        outcome: { kind: "failed", reason: "server answered 500 Internal Server Error" },
      }),
    ]);
  });

  it("marks every file failed when the reply does not cover the batch", async () => {
    const transport: UploadTransport<string> = { send: async (files) => files.slice(1).map(answer) };
    const q = createUploadQueue({ files: [file(0), file(1)], transport });
    expect(await q.start()).toMatchObject({ failed: 2, created: 0 });
    expect(q.results()[0]?.outcome).toEqual({
      kind: "failed",
      reason: "the server answered for 1 of 2 files in this request",
    });
  });

  it("cancels: aborts requests in flight and never starts the rest", async () => {
    const { transport, pending } = manualTransport();
    const files = Array.from({ length: 8 }, (_, i) => file(i));
    const q = createUploadQueue({ files, transport, limits: { maxFiles: 2, maxBytes: 1e9 }, concurrency: 2 });
    const done = q.start();
    await flush();
    pending[0]?.resolve(pending[0].files.map(answer));
    await flush();
    q.cancel();
    const final = await done;
    expect(pending.every((p) => p === pending[0] || p.signal.aborted)).toBe(true);
    expect(pending).toHaveLength(3);
    expect(final).toMatchObject({ state: "cancelled", created: 2, cancelled: 6, finishedFiles: 8 });
  });

  it("cancelling before start cancels every file", () => {
    const q = createUploadQueue({ files: [file(0), file(1)], transport: manualTransport().transport });
    q.cancel();
    expect(q.progress()).toMatchObject({ state: "cancelled", cancelled: 2 });
  });

  it("handles 1,000 files in few requests without quadratic work", async () => {
    let requests = 0;
    const transport: UploadTransport<string> = {
      send: async (files, progress) => {
        requests++;
        progress(0.5);
        progress(1);
        return files.map(answer);
      },
    };
    const files = Array.from({ length: 1000 }, (_, i) => file(i, 200_000));
    const q = createUploadQueue({ files, transport });
    const t0 = performance.now();
    const final = await q.start();
    expect(performance.now() - t0).toBeLessThan(500);
    // 25 files per request (the file-count limit binds before 24 MB does).
    expect(requests).toBe(40);
    expect(final).toMatchObject({
      created: 1000,
      finishedFiles: 1000,
      processingFiles: 0,
      sentBytes: 200_000_000,
    });
  });
});
