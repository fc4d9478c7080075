import { receiveMessageOnPort } from "node:worker_threads";
import type { ExportItem, ExportShape, PlannedImage, SplitName } from "@labelbench/formats";
import type { ReaderChannel, ReaderRequest } from "./export-pg-reader.js";
import type { ShapeColumns } from "./export-pg-repo.js";
import {
  ANNOTATIONS_PER_QUERY,
  type ExportLabelRow,
  type ExportReader,
  type ImageRow,
  planRows,
  StoredShape,
} from "./repo.js";

/**
 * The export's reads on PostgreSQL, behind the same synchronous `ExportReader` the SQLite snapshot
 * gives: the encoders pull shapes from plain iterators (packages/formats stays synchronous, and the
 * SQLite path keeps its synchronous speed). A PostgreSQL client answers only on an event loop, so
 * the connection is served on the main thread's (export-pg-reader.ts); the export worker posts a
 * request and blocks on a shared flag (`Atomics.wait`, allowed in a worker) until the answer is on
 * the port. Only the export worker, never the thread serving the reader, blocks on one.
 */

type Answer = { value: unknown } | { error: string };

/** Longest a single request may take before the export gives up on its reader. */
const ANSWER_DEADLINE_MS = 10 * 60_000;

/** Image and tag rows per fetch: a batch, not a project's worth of row objects, on each thread. */
const PLAN_ROWS_PER_FETCH = 4096;

/** The export worker's side: an `ExportReader` whose every call blocks until the reader answers. */
export const pgExportReader = ({ port, flag }: ReaderChannel): ExportReader => {
  const signal = new Int32Array(flag);
  let closed = false;

  const call = <T>(request: ReaderRequest): T => {
    Atomics.store(signal, 0, 0);
    port.postMessage(request);
    const deadline = Date.now() + ANSWER_DEADLINE_MS;
    for (;;) {
      const got = receiveMessageOnPort(port);
      if (got) {
        const a = got.message as Answer;
        if ("error" in a) throw new Error(`export: reading PostgreSQL failed: ${a.error}`);
        return a.value as T;
      }
      // A reader that died is seen by the main thread, which then stops this worker.
      if (Date.now() > deadline)
        throw new Error(`export: the PostgreSQL reader stopped answering (${request.type})`);
      Atomics.wait(signal, 0, 0, 1000);
    }
  };

  let cursors = 0;
  return {
    labels: () => call<ExportLabelRow[]>({ type: "labels" }),
    images: (labelIndex) => {
      /** Every row of a cursor, one fetch at a time. */
      function* rowsOf<T>(declare: "declareImages" | "declareTags", cursor: string): Generator<T> {
        call({ type: declare, cursor });
        try {
          for (;;) {
            const batch = call<T[]>({ type: "fetch", cursor, rows: PLAN_ROWS_PER_FETCH });
            if (batch.length === 0) return;
            yield* batch;
          }
        } finally {
          // After a failed query the transaction refuses everything: the first error is the one to tell.
          try {
            call({ type: "closeCursor", cursor });
          } catch {}
        }
      }
      return planRows(
        rowsOf<ImageRow>("declareImages", `export_images_${++cursors}`),
        rowsOf<{ imageId: number; labelId: number }>("declareTags", `export_tags_${++cursors}`),
        labelIndex,
      );
    },
    *items(
      plan: readonly PlannedImage[],
      labelIndex: ReadonlyMap<number, number>,
      split?: SplitName,
    ): Generator<ExportItem> {
      const wanted = split ? plan.filter((p) => p.split === split) : plan;
      const cursor = `export_shapes_${++cursors}`;
      const rows = ANNOTATIONS_PER_QUERY;
      const uidOf = (id: number) => call<string>({ type: "uid", id });
      call({ type: "declare", cursor, imageIds: wanted.map((p) => p.id) });
      try {
        let batch: ShapeColumns = { imageIds: [], ids: [], labelIds: [], geometries: [], attributes: [] };
        let r = 0;
        let done = false;
        /** True when row `r` is available (fetching the next batch when this one is used up). */
        const more = () => {
          if (r < batch.ids.length) return true;
          if (done) return false;
          batch = call<ShapeColumns>({ type: "fetch", cursor, rows });
          r = 0;
          done = batch.ids.length === 0;
          return !done;
        };
        // The plan is in id order and so is the cursor: one merge walk pairs them.
        for (const image of wanted) {
          const shapes: ExportShape[] = [];
          while (more() && batch.imageIds[r] === image.id) {
            const id = batch.ids[r] as number;
            const labelId = batch.labelIds[r] as number;
            const labelIdx = labelIndex.get(labelId);
            if (labelIdx === undefined)
              throw new Error(`annotation ${uidOf(id)} has label ${labelId} outside the project`);
            shapes.push(
              new StoredShape(
                id,
                labelIdx,
                batch.geometries[r] as string,
                uidOf,
                batch.attributes[r] ?? null,
              ),
            );
            r++;
          }
          yield { image, shapes };
        }
        if (more()) throw new Error("annotation rows out of image order in an export query");
      } finally {
        // After a failed query the transaction refuses everything: the first error is the one to tell.
        try {
          call({ type: "closeCursor", cursor });
        } catch {}
      }
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        call({ type: "close" });
      } finally {
        port.close();
      }
    },
  };
};
