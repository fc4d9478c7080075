import { ErrorEnvelope, UploadReply, type UploadResult } from "@labelbench/schema";
import { ApiError, urlOf } from "../api/client";
import type { QueuedFile, UploadTransport } from "./upload-queue";

/**
 * Sends a batch as one multipart request (field `files`) with XMLHttpRequest, the only browser API
 * that reports upload progress. Replies are parsed with the shared schema like every other call.
 */
export const xhrTransport = (projectId: number): UploadTransport<File> => ({
  send: (files: readonly QueuedFile<File>[], onProgress, signal) =>
    new Promise<UploadResult[]>((resolve, reject) => {
      const form = new FormData();
      // The path inside the picked or dropped folder ("cam_a/0001.jpg"): the image's name on the server.
      for (const f of files) form.append("files", f.file, f.path);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", urlOf("uploadImages", { projectId }));
      xhr.responseType = "text";
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.upload.onload = () => onProgress(1);
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          reject(new ApiError(xhr.status, "INTERNAL", `server answered ${xhr.status} without a JSON body`));
          return;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          const parsed = UploadReply.safeParse(body);
          if (parsed.success) resolve(parsed.data.results);
          else
            reject(
              new ApiError(xhr.status, "INTERNAL", "the server's upload reply did not match the contract"),
            );
          return;
        }
        const env = ErrorEnvelope.safeParse(body);
        reject(
          env.success
            ? new ApiError(xhr.status, env.data.error.code, env.data.error.message, env.data.error.details)
            : new ApiError(xhr.status, "INTERNAL", `server answered ${xhr.status} ${xhr.statusText}`),
        );
      };
      xhr.onerror = () =>
        reject(new ApiError(0, "NETWORK", "cannot reach the server; check your connection"));
      xhr.ontimeout = () => reject(new ApiError(0, "NETWORK", "the upload request timed out"));
      xhr.onabort = () => reject(new DOMException("upload cancelled", "AbortError"));
      if (signal.aborted) {
        reject(new DOMException("upload cancelled", "AbortError"));
        return;
      }
      signal.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.send(form);
    }),
});
