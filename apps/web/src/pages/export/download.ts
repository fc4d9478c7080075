import { HEADERS } from "@labelbench/schema";
import { toApiError } from "../../api/client";
import { DIRECT_DOWNLOAD_BYTES, fileNameFromDisposition } from "./export-model";

export interface DownloadProgress {
  received: number;
  /** The server's estimate of the zip size (it streams, so the exact size is unknown up front). */
  estimate: number | null;
}

export type DownloadResult =
  | { kind: "saved"; fileName: string; bytes: number }
  /** Too large to hold in the page: handed to the browser's download manager instead. */
  | { kind: "handed-over"; fileName: string; estimate: number };

/** Saves bytes under a name through a temporary object URL. */
const saveBlob = (blob: Blob, fileName: string) => {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

/**
 * Downloads an export with progress: the response body is read chunk by chunk (bytes received
 * against the server's size estimate). Errors before the first byte arrive as the API's error
 * envelope and are thrown as ApiError with the server's message.
 */
export const downloadExport = async (
  url: string,
  fallbackName: string,
  onProgress: (p: DownloadProgress) => void,
  signal: AbortSignal,
): Promise<DownloadResult> => {
  const res = await fetch(url, { credentials: "same-origin", signal });
  if (!res.ok) throw await toApiError(res);
  const fileName = fileNameFromDisposition(res.headers.get("Content-Disposition"), fallbackName);
  const estimate = Number(res.headers.get(HEADERS.exportEstimatedBytes)) || null;
  if (estimate !== null && estimate > DIRECT_DOWNLOAD_BYTES) {
    // Holding gigabytes in a tab would crash it; the browser streams to disk and shows progress.
    await res.body?.cancel();
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    return { kind: "handed-over", fileName, estimate };
  }
  const reader = res.body?.getReader();
  if (!reader) throw new Error("the browser gave no response stream");
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress({ received, estimate });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress({ received, estimate });
  }
  saveBlob(new Blob(chunks as BlobPart[], { type: "application/zip" }), fileName);
  return { kind: "saved", fileName, bytes: received };
};
