import type { Worker } from "node:worker_threads";
import zlib from "node:zlib";
import { HEADERS } from "@labelbench/schema";
import type { Response } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { originalKey } from "../../storage/keys.js";
import { startWorker } from "../../workers/worker-entry.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { convertImage } from "./export-convert.js";
import {
  type ExportIo,
  type ExportJob,
  type ExportOptions,
  type ExportPlanInfo,
  type FilesChecked,
  type ImageCopy,
  runExport,
} from "./export-job.js";
import { startPgReader } from "./export-pg-reader.js";
import type { ExportWorkerData, FromWorker, ToWorker } from "./export-protocol.js";
import { RETRY_AFTER_S, type Slots } from "./export-slots.js";
import { openSnapshot, sqliteExportReader } from "./repo.js";

/**
 * The main thread's side of an export: check the request, wait for an export slot, start a worker
 * (export-worker.ts) that plans, encodes and zips from its own snapshot, and pipe its bytes to the
 * response. The main thread keeps only what must stay here: headers, the image storage (files are
 * copied from storage straight into the response) and the response itself.
 */

/**
 * The worker's heap. Its old generation is capped so a runaway export fails alone instead of
 * taking the process down; a 100k-image / 1M-annotation export keeps ~45 MB alive (the plan). A
 * worker's young generation defaults to 48 MB: 16 MB took ~10-20 MB off the peak RSS at the same
 * speed, while 8 MB made a YOLO export (100,000 small files of garbage) 2x slower in our runs.
 */
const WORKER_OLD_MB = 192;
const WORKER_YOUNG_MB = 16;

const ZIP_HEADERS = [
  "Content-Type",
  "Content-Disposition",
  "Cache-Control",
  HEADERS.exportEstimatedBytes,
  HEADERS.exportImages,
];

/** `attachment; filename="x"; filename*=UTF-8''x` so any project name survives every browser. */
const contentDisposition = (name: string): string => {
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "dataset";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
};

/** Waits for `drain`, or fails when the response closes first (a client that hung up). */
const drained = (res: Response): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (res.destroyed || res.writableEnded) {
      reject(new Error("output closed before the export finished"));
      return;
    }
    const done = (err?: Error) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("output closed before the export finished"));
    res.on("drain", onDrain);
    res.on("close", onClose);
  });

/** Reads a whole stored file (an image to convert; conversions need all of it). */
const readStored = async (deps: ExportDeps, sha256: string): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of deps.storage.stream(originalKey(sha256))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** What an export needs of the app: the database (and, on SQLite, its handle), the storage, the log. */
export type ExportDeps = Pick<Deps, "sql" | "dialect" | "pgPool" | "storage" | "log"> & {
  db?: Deps["db"];
};

/** What the main thread does for an export, whichever thread encodes it. */
const responseSide = (deps: ExportDeps, projectName: string, opts: ExportOptions, res: Response) => ({
  /**
   * Checked now, a missing file leaves its image out (listed in the export report) instead of
   * cutting the download halfway or failing the whole project.
   */
  async planned(info: ExportPlanInfo): Promise<FilesChecked> {
    const missing: number[] = [];
    for (const f of info.files ?? []) {
      if ((await deps.storage.stat(originalKey(f.sha256))) === null) {
        deps.log.warn(
          { imageId: f.id, sha256: f.sha256 },
          "export: image file missing from storage; left out",
        );
        missing.push(f.id);
      }
    }
    res.status(200);
    res.setHeader("Content-Type", "application/zip");
    res.setHeader("Content-Disposition", contentDisposition(`${projectName}-${opts.format}.zip`));
    res.setHeader("Cache-Control", "no-store");
    res.setHeader(HEADERS.exportEstimatedBytes, String(info.estimate));
    res.setHeader(HEADERS.exportImages, String(info.imageCount - missing.length));
    return { missing };
  },
  /** Image bytes are compressed already: copied as they are (or converted), CRC computed on the way. */
  async copyImage(image: ImageCopy): Promise<{ crc: number; size: number }> {
    if (image.conversion !== null) {
      const bytes = await convertImage(await readStored(deps, image.sha256), image.format, image.conversion);
      if (!res.write(bytes)) await drained(res);
      return { crc: zlib.crc32(bytes), size: bytes.length };
    }
    const source = deps.storage.stream(originalKey(image.sha256));
    let crc = 0;
    let size = 0;
    try {
      for await (const chunk of source) {
        const b = chunk as Buffer;
        crc = zlib.crc32(b, crc);
        size += b.length;
        if (!res.write(b)) await drained(res);
      }
    } catch (err) {
      source.destroy();
      throw err;
    }
    return { crc, size };
  },
});

/**
 * Runs the export in a worker and resolves when the zip is out; rejects on the worker's failure,
 * its unexpected exit or the client hanging up. The worker is stopped (and its snapshot released)
 * before this settles.
 */
const runInWorker = async (
  job: ExportJob,
  where: WorkerDatabase,
  side: ReturnType<typeof responseSide>,
  res: Response,
): Promise<void> => {
  // On PostgreSQL the snapshot is held by a reader served here, on the main thread.
  const reader =
    where.dialect === "postgres"
      ? startPgReader(where.url, job.projectId, job.options.status, job.options.review, job.scope)
      : null;
  const data: ExportWorkerData = {
    ...job,
    database: where.dialect === "sqlite" ? where : { dialect: "postgres", ...(reader as PgReader).channel },
  };
  try {
    const worker = startWorker(
      "export-worker",
      {
        workerData: data,
        transferList: reader ? [reader.channel.port] : [],
        resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      },
      import.meta.url,
    );
    const exited = new Promise<number>((r) => worker.once("exit", r));
    await streamFromWorker(worker, exited, side, res);
  } finally {
    // The reader's connection closes before the export's slot frees.
    await reader?.stop();
  }
};

/** Pipes the worker's zip to the response and serves its requests until it ends. */
const streamFromWorker = async (
  worker: Worker,
  exited: Promise<number>,
  side: ReturnType<typeof responseSide>,
  res: Response,
): Promise<void> => {
  const send = (m: ToWorker) => worker.postMessage(m);
  let settled = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      const onClose = () => {
        if (!res.writableFinished) fail(new Error("the client closed the connection during the export"));
      };
      res.on("close", onClose);
      void exited.then((code) => fail(new Error(`the export worker stopped (exit code ${code})`)));
      worker.on("error", fail);
      worker.on("message", (m: FromWorker) => {
        if (settled) return;
        switch (m.type) {
          case "chunk": {
            const { data, length } = m;
            // Acknowledged once the socket took the bytes: the buffer then goes back for reuse.
            res.write(Buffer.from(data, 0, length), (err) => {
              if (!err && !settled)
                worker.postMessage({ type: "ack", bytes: length, buffer: data } satisfies ToWorker, [data]);
            });
            return;
          }
          case "copy":
            side.copyImage(m.image).then(({ crc, size }) => send({ type: "copied", crc, size }), fail);
            return;
          case "plan":
            side.planned(m.info).then(({ missing }) => send({ type: "go", missing }), fail);
            return;
          case "end":
            settled = true;
            res.off("close", onClose);
            res.end();
            resolve();
            return;
          case "error": {
            const err = new Error(m.message);
            if (m.stack) err.stack = m.stack;
            fail(err);
            return;
          }
        }
      });
    });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  // A finished worker closes its snapshot and exits by itself; the slot frees when it has.
  await exited;
};

/** An in-memory SQLite database cannot be opened by a second connection: such an export runs here. */
const runInProcess = async (
  db: NonNullable<ExportDeps["db"]>,
  data: ExportJob,
  side: ReturnType<typeof responseSide>,
  res: Response,
): Promise<void> => {
  const reader = sqliteExportReader(
    openSnapshot(db),
    data.projectId,
    data.options.status,
    data.options.review,
    data.scope,
  );
  let closed = false;
  const onClose = () => {
    closed = !res.writableFinished;
  };
  res.on("close", onClose);
  try {
    const io: ExportIo = {
      ...side,
      sink: {
        write: (chunk) => {
          if (closed) throw new Error("the client closed the connection during the export");
          return res.write(chunk) ? undefined : drained(res);
        },
        end: () => res.end(),
      },
    };
    await runExport(reader, data, io);
  } finally {
    res.off("close", onClose);
    reader.close();
  }
};

type PgReader = ReturnType<typeof startPgReader>;

/** Where an export worker reads: the SQLite file, or (through its reader thread) the PostgreSQL URL. */
type WorkerDatabase = { dialect: "sqlite"; file: string } | { dialect: "postgres"; url: string };

/** Where the worker opens its own snapshot; an in-memory SQLite database (no second connection) is read here. */
const exportDatabase = (
  deps: ExportDeps,
): WorkerDatabase | { dialect: "memory"; db: NonNullable<ExportDeps["db"]> } => {
  if (deps.dialect === "postgres") {
    // The reader thread opens a connection of its own, to the database the pool connects to.
    const url = deps.pgPool?.options.connectionString;
    if (!url) throw new Error("an export on PostgreSQL needs deps.pgPool (built from a URL) for its reader");
    return { dialect: "postgres", url };
  }
  if (!deps.db) throw new Error("an export on SQLite needs deps.db");
  return deps.db.memory ? { dialect: "memory", db: deps.db } : { dialect: "sqlite", file: deps.db.name };
};

/**
 * Streams a project as a zip. A failure before the first byte answers an ordinary error (500 with
 * the envelope); after bytes went out the only honest signal left is a cut connection.
 */
export const exportDataset = async (
  deps: ExportDeps,
  slots: Slots,
  projectId: number,
  opts: ExportOptions,
  res: Response,
  /** A dataset version's frozen rows and what its manifest records (issue 17); absent: the live project. */
  frozen?: Pick<ExportJob, "scope" | "version">,
): Promise<void> => {
  const projectName = (await requireProject(projectRepo(deps.sql), projectId)).name;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.on("close", onClose);
  let release: () => void;
  try {
    release = await slots.acquire(gone.signal);
  } catch (err) {
    if (gone.signal.aborted) return; // the client left while waiting: nobody to answer
    if (err instanceof AppError && err.code === "BUSY") res.setHeader("Retry-After", String(RETRY_AFTER_S));
    throw err;
  } finally {
    res.off("close", onClose);
  }
  try {
    const name = frozen?.version ? `${projectName}-v${frozen.version.number}` : projectName;
    const side = responseSide(deps, name, opts, res);
    const database = exportDatabase(deps);
    const job: ExportJob = { projectId, options: opts, ...frozen };
    if (database.dialect === "memory") await runInProcess(database.db, job, side, res);
    else await runInWorker(job, database, side, res);
  } catch (err) {
    if (!res.headersSent && !res.destroyed) {
      // Nothing has left yet (output goes out in 256 KiB writes): an ordinary error reply.
      for (const h of ZIP_HEADERS) res.removeHeader(h);
      throw err;
    }
    if (!res.writableFinished && !res.destroyed)
      deps.log.error({ err, projectId }, "export failed while streaming; connection cut");
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    release();
  }
};
