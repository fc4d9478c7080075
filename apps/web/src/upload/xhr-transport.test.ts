import { afterEach, describe, expect, it, vi } from "vitest";
import type { QueuedFile, UploadTransport } from "./upload-queue";
import { useUploads } from "./upload-store";
import { xhrTransport } from "./xhr-transport";

/** Records what would go over the wire and answers like the server. */
class FakeXhr {
  static sent: FormData[] = [];
  status = 200;
  statusText = "OK";
  responseType = "";
  responseText = "";
  upload: { onprogress?: unknown; onload?: () => void } = {};
  onload: (() => void) | null = null;
  open() {}
  send(form: FormData) {
    FakeXhr.sent.push(form);
    const results = form.getAll("files").map((f) => ({
      fileName: (f as File).name,
      status: "rejected",
      code: "VALIDATION_ERROR",
      reason: "not an image",
    }));
    this.responseText = JSON.stringify({ results });
    setTimeout(() => this.onload?.(), 0);
  }
  abort() {}
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeXhr.sent = [];
});

const queued = (path: string, index = 0): QueuedFile<File> => {
  const file = new File(["x"], path.split("/").pop() ?? path);
  return { index, file, name: file.name, path, size: file.size };
};

describe("xhrTransport", () => {
  it("sends each file under its path inside the folder, not its bare name", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const results = await xhrTransport(1).send(
      [queued("cam_a/0001.jpg"), queued("cam_b/0001.jpg", 1)],
      () => {},
      new AbortController().signal,
    );
    const names = FakeXhr.sent[0]?.getAll("files").map((f) => (f as File).name);
    expect(names).toEqual(["cam_a/0001.jpg", "cam_b/0001.jpg"]);
    expect(results.map((r) => r.fileName)).toEqual(["cam_a/0001.jpg", "cam_b/0001.jpg"]);
  });
});

describe("the upload store", () => {
  it("uploads a folder in natural path order", async () => {
    const sent: string[] = [];
    const transport: UploadTransport<File> = {
      send: async (files) => {
        sent.push(...files.map((f) => f.path));
        return files.map((f) => ({
          fileName: f.path,
          status: "rejected" as const,
          code: "VALIDATION_ERROR" as const,
          reason: "test",
        }));
      },
    };
    const paths = ["d/img10.jpg", "d/img2.jpg", "d/cam_b/0001.jpg", "d/cam_a/0001.jpg"];
    useUploads
      .getState()
      .start(
        { id: 1, name: "p" },
        { files: paths.map((p) => ({ file: new File(["x"], p), path: p })), skipped: [] },
        transport,
      );
    await vi.waitFor(() => expect(useUploads.getState().session?.finishedAt).not.toBeNull());
    expect(sent).toEqual(["d/cam_a/0001.jpg", "d/cam_b/0001.jpg", "d/img2.jpg", "d/img10.jpg"]);
    useUploads.getState().dismiss();
  });
});
