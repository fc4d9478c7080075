import { create } from "zustand";
import { sortByPath, type Walked } from "./folder-walk";
import {
  createUploadQueue,
  type FileResult,
  type QueuedFile,
  type UploadProgress,
  type UploadQueue,
  type UploadTransport,
} from "./upload-queue";
import { xhrTransport } from "./xhr-transport";

/**
 * The upload in progress, kept outside any page so it carries on (and stays visible) while the user
 * moves between the library, the labels and the overview. One upload at a time per browser tab.
 */
export interface UploadSession {
  id: number;
  projectId: number;
  projectName: string;
  progress: UploadProgress;
  results: FileResult[];
  /** Left out before sending (system files, unreadable entries). */
  skipped: { path: string; reason: string }[];
  startedAt: number;
  finishedAt: number | null;
}

interface UploadStore {
  session: UploadSession | null;
  start(project: { id: number; name: string }, picked: Walked<File>, transport?: UploadTransport<File>): void;
  cancel(): void;
  retryFailed(): void;
  dismiss(): void;
}

let queue: UploadQueue | null = null;
let queuedFiles: QueuedFile<File>[] = [];
let lastTransport: UploadTransport<File> | null = null;
let nextId = 1;
let frame = 0;

/** Progress events arrive far faster than anyone can read; render at most once per frame. */
const schedule = (fn: () => void) => {
  if (frame) return;
  const run = () => {
    frame = 0;
    fn();
  };
  frame =
    typeof requestAnimationFrame === "function"
      ? requestAnimationFrame(run)
      : (setTimeout(run, 16) as unknown as number);
};

export const useUploads = create<UploadStore>((set, get) => {
  const launch = (
    project: { id: number; name: string },
    files: QueuedFile<File>[],
    skipped: UploadSession["skipped"],
    transport: UploadTransport<File>,
  ) => {
    const id = nextId++;
    queuedFiles = files;
    lastTransport = transport;
    const q = createUploadQueue({
      files,
      transport,
      onChange: () =>
        schedule(() => {
          const s = get().session;
          if (s?.id !== id) return;
          set({ session: { ...s, progress: q.progress(), results: q.results() } });
        }),
    });
    queue = q;
    set({
      session: {
        id,
        projectId: project.id,
        projectName: project.name,
        progress: q.progress(),
        results: [],
        skipped,
        startedAt: Date.now(),
        finishedAt: null,
      },
    });
    void q.start().then((final) => {
      const s = get().session;
      if (s?.id !== id) return;
      set({ session: { ...s, progress: final, results: q.results(), finishedAt: Date.now() } });
    });
  };

  return {
    session: null,
    start(project, picked, transport = xhrTransport(project.id)) {
      const running = get().session?.progress.state === "running";
      if (running) throw new Error("an upload is already running; wait for it or cancel it first");
      // Natural path order (img2 before img10), the library's default order: batches then land
      // roughly in the order the grid lists them, and "Date added" follows the folder.
      const files = sortByPath(picked.files).map(
        (w, index): QueuedFile<File> => ({
          index,
          file: w.file,
          name: w.file.name,
          path: w.path,
          size: w.file.size,
        }),
      );
      launch(project, files, picked.skipped, transport);
    },
    cancel() {
      queue?.cancel();
    },
    retryFailed() {
      const s = get().session;
      if (!s || s.progress.state === "running") return;
      const again = new Set(
        s.results
          .filter((r) => r.outcome.kind === "failed" || r.outcome.kind === "cancelled")
          .map((r) => r.index),
      );
      const files = queuedFiles.filter((f) => again.has(f.index));
      if (files.length > 0) {
        launch(
          { id: s.projectId, name: s.projectName },
          files,
          [],
          lastTransport ?? xhrTransport(s.projectId),
        );
      }
    },
    dismiss() {
      if (get().session?.progress.state === "running") queue?.cancel();
      queue = null;
      queuedFiles = [];
      set({ session: null });
    },
  };
});
