import { createStage, ROW_COLUMNS, type StagedImage, type StageWriter } from "./stage-repo.js";

/**
 * The staging file's writes run on the main thread while the import worker decodes on: writing a
 * million rows into SQLite was a fifth of the worker's time (3.5 s of 18 s CPU, under load), and
 * the main thread has nothing else to do for the import meanwhile (it serves requests between the
 * batches, each a few ms). The worker sends what it stages in batches (`stageSender`); the main
 * thread writes them into the file it opened (`stageReceiver`). Messages on one port arrive in
 * the order they were sent, so the file is closed (kept or dropped) before the job's answer.
 */
export type StageMessage =
  | { type: "stageRows"; values: (string | number)[] }
  | { type: "stageImages"; images: StagedImage[] }
  | { type: "stageLabel"; ref: number; name: string }
  | { type: "stageClose"; keep: boolean };

/** Rows per message: ~300 kB of geometry, a few ms of the main thread's time to write. */
const ROWS_PER_MESSAGE = 2_000;
const IMAGES_PER_MESSAGE = 1_000;
/**
 * Rows sent and not yet written past which the worker waits for the main thread: under a stream
 * of saves the main thread may write slower than the worker decodes, and what waits in the
 * port's queue is memory (~8 MB here).
 */
export const MAX_BACKLOG_ROWS = 50_000;

/** The shared counter of rows sent and not yet written (one Int32 over a SharedArrayBuffer). */
export const newBacklog = () => new Int32Array(new SharedArrayBuffer(4));

/** The worker's side: a StageWriter whose writes go to the main thread in batches. */
export const stageSender =
  (post: (m: StageMessage) => void, backlog: Int32Array) =>
  (_file: string): StageWriter => {
    let values: (string | number)[] = [];
    let images: StagedImage[] = [];
    const sendRows = () => {
      if (values.length === 0) return;
      const rows = values.length / ROW_COLUMNS;
      let waiting = Atomics.add(backlog, 0, rows) + rows;
      post({ type: "stageRows", values });
      values = [];
      while (waiting > MAX_BACKLOG_ROWS) {
        Atomics.wait(backlog, 0, waiting, 1_000);
        waiting = Atomics.load(backlog, 0);
      }
    };
    const sendImages = () => {
      if (images.length === 0) return;
      post({ type: "stageImages", images });
      images = [];
    };
    return {
      row: (seq, position, uid, label, geometry) => {
        values.push(seq, position, uid, label, geometry);
        if (values.length === ROWS_PER_MESSAGE * ROW_COLUMNS) sendRows();
      },
      image: (s) => {
        sendRows();
        images.push(s);
        if (images.length === IMAGES_PER_MESSAGE) sendImages();
      },
      label: (ref, name) => {
        sendRows();
        post({ type: "stageLabel", ref, name });
      },
      close: (keep) => {
        if (keep) {
          sendRows();
          sendImages();
        }
        post({ type: "stageClose", keep });
      },
    };
  };

export const isStageMessage = (m: { type: string }): m is StageMessage => m.type.startsWith("stage");

/**
 * The main thread's side: the staging file, written as the worker's batches arrive. A write that
 * fails (a full disk) drops the file and is kept as the import's failure (`failure`), answered
 * when the worker is done; later batches are only counted off the backlog, so the worker never
 * waits for a writer that stopped.
 */
export const stageReceiver = (file: string, backlog: Int32Array) => {
  const stage = createStage(file);
  let open = true;
  let failure: unknown = null;
  const close = (keep: boolean) => {
    if (!open) return;
    open = false;
    stage.close(keep);
  };
  return {
    apply: (m: StageMessage) => {
      try {
        if (!open) return;
        if (m.type === "stageRows") stage.rows(m.values);
        else if (m.type === "stageImages") for (const s of m.images) stage.image(s);
        else if (m.type === "stageLabel") stage.label(m.ref, m.name);
        else close(m.keep);
      } catch (err) {
        failure ??= err;
        try {
          close(false);
        } catch {
          // The failure that matters is the first one.
        }
      } finally {
        if (m.type === "stageRows") {
          Atomics.sub(backlog, 0, m.values.length / ROW_COLUMNS);
          Atomics.notify(backlog, 0);
        }
      }
    },
    /** Drops the writes unless the worker already closed the file (a worker that died). */
    abandon: () => {
      try {
        close(false);
      } catch (err) {
        failure ??= err;
      }
    },
    get failure(): unknown {
      return failure;
    },
  };
};
