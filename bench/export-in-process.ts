import { ExportQuery } from "@labelbench/schema";
import { runExport } from "../apps/server/src/modules/exports/export-job.js";
import { openSnapshotAt, sqliteExportReader } from "../apps/server/src/modules/exports/repo.js";

/**
 * One export of a generated project's SQLite file (project 1, images excluded) in this process,
 * as the export worker runs it, into a sink that hands each chunk to `onChunk` and drops it: what
 * the export profiling scripts (profile-export-worker.ts, profile-export-memory.ts) measure.
 */
export const exportInProcess = async (
  file: string,
  format: string,
  onChunk: (chunk: Uint8Array) => void,
): Promise<void> => {
  const options = ExportQuery.parse({ format, images: "exclude" });
  const reader = sqliteExportReader(openSnapshotAt(file), 1, options.status, options.review);
  try {
    await runExport(
      reader,
      { projectId: 1, options },
      {
        planned: async () => ({ missing: [] }),
        sink: { write: onChunk, end: () => undefined },
        copyImage: () => Promise.reject(new Error("images are excluded")),
      },
    );
  } finally {
    reader.close();
  }
};
