import type { UploadResult } from "@labelbench/schema";

/**
 * Uploads many files as a few multipart requests at a time. Pure logic: the HTTP part is an injected
 * transport, so batching, concurrency, progress and per-file results are tested without a browser.
 *
 * Why batches: one request per file costs a round trip and a transaction each (1,000 files = 1,000
 * requests); one request for everything shows no result until the very end and loses everything on
 * one network hiccup. A few dozen files or a few megabytes per request, three in flight, keeps the
 * pipe full while results stream in.
 */

export interface QueuedFile<F> {
  /** Position in the upload, stable across retries of the same selection. */
  readonly index: number;
  readonly file: F;
  readonly name: string;
  /** Path inside a dropped folder ("holiday/day1/img.jpg"), or the name for a loose file. */
  readonly path: string;
  readonly size: number;
}

export type FileOutcome =
  | { kind: "created"; imageId: number }
  | { kind: "duplicate"; imageId: number }
  | { kind: "rejected"; code: string; reason: string }
  /** The request carrying the file failed as a whole (network, server error): worth a retry. */
  | { kind: "failed"; reason: string }
  | { kind: "cancelled" };

export interface FileResult {
  readonly index: number;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly outcome: FileOutcome;
}

export interface UploadTransport<F> {
  /**
   * Sends one batch; answers the server's per-file results in request order. `onProgress` takes the
   * fraction (0..1) of the request body sent so far.
   */
  send(
    files: readonly QueuedFile<F>[],
    onProgress: (fraction: number) => void,
    signal: AbortSignal,
  ): Promise<UploadResult[]>;
}

export interface BatchLimits {
  /** Most files in one request. */
  maxFiles: number;
  /** Most bytes in one request; a single larger file still goes, alone. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: BatchLimits = { maxFiles: 25, maxBytes: 24 * 1024 * 1024 };
export const DEFAULT_CONCURRENCY = 3;

/** Splits files into consecutive batches within the limits, keeping order (and so image ids) stable. */
export const planBatches = <T extends { size: number }>(files: readonly T[], limits: BatchLimits): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    const full =
      current.length >= limits.maxFiles || (current.length > 0 && bytes + f.size > limits.maxBytes);
    if (full) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

export type UploadState = "idle" | "running" | "done" | "cancelled";

export interface UploadProgress {
  state: UploadState;
  totalFiles: number;
  totalBytes: number;
  /** Bytes of the request bodies sent so far (finished batches count in full). */
  sentBytes: number;
  /** Files the server has answered for, or that failed/cancelled. */
  finishedFiles: number;
  /** Files whose bytes are all sent but whose batch awaits the server's answer. */
  processingFiles: number;
  created: number;
  duplicate: number;
  rejected: number;
  failed: number;
  cancelled: number;
}

export interface UploadQueueOptions<F> {
  files: readonly QueuedFile<F>[];
  transport: UploadTransport<F>;
  limits?: BatchLimits;
  concurrency?: number;
  /** Called after every change; callers coalesce (e.g. per animation frame) if they render. */
  onChange?: () => void;
}

export interface UploadQueue {
  /** Runs every batch; resolves when all files have an outcome. Never rejects. */
  start(): Promise<UploadProgress>;
  cancel(): void;
  progress(): UploadProgress;
  /** Per-file outcomes in the order files were given; files without an outcome yet are absent. */
  results(): FileResult[];
}

const messageOf = (err: unknown) =>
  err instanceof Error && err.message ? err.message : "the upload request failed";

/** Maps one server reply to outcomes for the batch, tolerating a reply that does not match in length. */
export const outcomesFor = <F>(
  batch: readonly QueuedFile<F>[],
  replies: readonly UploadResult[],
): FileOutcome[] =>
  batch.map((_file, i): FileOutcome => {
    const r = replies[i];
    if (!r || replies.length !== batch.length) {
      return {
        kind: "failed",
        reason: `the server answered for ${replies.length} of ${batch.length} files in this request`,
      };
    }
    if (r.status === "rejected") return { kind: "rejected", code: r.code, reason: r.reason };
    return { kind: r.status, imageId: r.image.id };
  });

export const createUploadQueue = <F>(opts: UploadQueueOptions<F>): UploadQueue => {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const batches = planBatches(opts.files, limits);
  const batchBytes = batches.map((b) => b.reduce((s, f) => s + f.size, 0));
  const sentFraction = batches.map(() => 0);
  // One result object per file, made once: renderers can memoize rows by identity.
  const outcomes: (FileResult | undefined)[] = opts.files.map(() => undefined);
  const slotOf = new Map(opts.files.map((f, i) => [f.index, i]));
  const controller = new AbortController();

  const p: UploadProgress = {
    state: "idle",
    totalFiles: opts.files.length,
    totalBytes: batchBytes.reduce((s, b) => s + b, 0),
    sentBytes: 0,
    finishedFiles: 0,
    processingFiles: 0,
    created: 0,
    duplicate: 0,
    rejected: 0,
    failed: 0,
    cancelled: 0,
  };
  const changed = () => opts.onChange?.();
  const recomputeSent = () => {
    p.sentBytes = batchBytes.reduce((s, b, i) => s + b * (sentFraction[i] ?? 0), 0);
  };
  const settle = (file: QueuedFile<F>, outcome: FileOutcome) => {
    const slot = slotOf.get(file.index);
    if (slot === undefined || outcomes[slot]) return;
    outcomes[slot] = { index: file.index, name: file.name, path: file.path, size: file.size, outcome };
    p.finishedFiles += 1;
    p[outcome.kind] += 1;
  };

  const runBatch = async (bi: number) => {
    const batch = batches[bi] ?? [];
    if (controller.signal.aborted) {
      for (const f of batch) settle(f, { kind: "cancelled" });
      return;
    }
    let processing = false;
    const onProgress = (fraction: number) => {
      const f = Math.max(sentFraction[bi] ?? 0, Math.min(1, fraction));
      sentFraction[bi] = f;
      recomputeSent();
      if (f >= 1 && !processing) {
        processing = true;
        p.processingFiles += batch.length;
      }
      changed();
    };
    try {
      const replies = await opts.transport.send(batch, onProgress, controller.signal);
      const out = outcomesFor(batch, replies);
      batch.forEach((f, i) => {
        settle(f, out[i] ?? { kind: "failed", reason: "no answer for this file" });
      });
    } catch (err) {
      const outcome: FileOutcome = controller.signal.aborted
        ? { kind: "cancelled" }
        : { kind: "failed", reason: messageOf(err) };
      for (const f of batch) settle(f, outcome);
    } finally {
      if (processing) p.processingFiles -= batch.length;
      sentFraction[bi] = 1;
      recomputeSent();
      changed();
    }
  };

  let started: Promise<UploadProgress> | null = null;
  return {
    start() {
      if (started) return started;
      p.state = "running";
      changed();
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const bi = next;
          next += 1;
          await runBatch(bi);
        }
      };
      started = Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker)).then(
        () => {
          p.state = controller.signal.aborted ? "cancelled" : "done";
          changed();
          return { ...p };
        },
      );
      return started;
    },
    cancel() {
      if (p.state === "done" || p.state === "cancelled") return;
      controller.abort();
      if (!started) {
        for (const f of opts.files) settle(f, { kind: "cancelled" });
        p.state = "cancelled";
      }
      changed();
    },
    progress: () => ({ ...p }),
    results: () => outcomes.filter((r): r is FileResult => r !== undefined),
  };
};
