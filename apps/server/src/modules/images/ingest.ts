import { randomUUID } from "node:crypto";
import fsp from "node:fs/promises";
import type { ImageFormat, UploadResult } from "@labelbench/schema";
import type { Deps } from "../../deps.js";
import { originalKey, thumbnailKey } from "../../storage/keys.js";
import { probeImage } from "./probe.js";
import { imageRepo, toImage } from "./repo.js";

/** A file already streamed to a temp path, hashed and sniffed, waiting to become an image. */
export interface StagedFile {
  fileName: string;
  tempPath: string;
  sha256: string;
  byteSize: number;
  format: ImageFormat | null;
  /** Set when the stream was cut at the size limit. */
  tooLarge: boolean;
}

export type Probed =
  | { kind: "ok"; staged: StagedFile; format: ImageFormat; width: number; height: number; channels: number }
  | { kind: "rejected"; result: UploadResult };

const rejected = (
  fileName: string,
  code: "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE" | "VALIDATION_ERROR",
  reason: string,
): Probed => ({ kind: "rejected", result: { fileName, status: "rejected", code, reason } });

/** The claim a staged file's bytes hold between being put into storage and being committed. */
export const claimOwner = (tempPath: string) => `staged:${tempPath}`;

/**
 * The caller is done with these staged files (rows committed, or refused): their claims go, and
 * bytes that did not become an image row are deleted.
 */
export const releaseStaged = (deps: Deps, tempPaths: readonly string[], shas: readonly string[]) =>
  deps.files.release(tempPaths.map(claimOwner), shas);

/**
 * Validates one staged file and stores its bytes and thumbnail under a claim (no image rows): the
 * caller commits the rows, then calls releaseStaged.
 */
export const probeStaged = async (deps: Deps, s: StagedFile): Promise<Probed> => {
  const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
  if (s.tooLarge)
    return rejected(
      s.fileName,
      "PAYLOAD_TOO_LARGE",
      `file exceeds the ${mb(deps.config.maxFileBytes)} limit`,
    );
  if (s.byteSize === 0) return rejected(s.fileName, "VALIDATION_ERROR", "file is empty");
  if (!s.format) {
    return rejected(
      s.fileName,
      "UNSUPPORTED_MEDIA_TYPE",
      "not a supported image (by content): accepted formats are JPEG, PNG, WebP, TIFF, BMP and GIF",
    );
  }
  const probe = await probeImage(s.tempPath, s.format, deps.config.maxPixels);
  if (!probe.ok) return rejected(s.fileName, probe.code, probe.reason);
  // Claimed before looking: a deletion of the same bytes either finished (the files are put again
  // below) or cannot start until the caller releases the claim, after committing its row.
  await deps.files.claim(s.sha256, claimOwner(s.tempPath));
  const key = originalKey(s.sha256);
  if ((await deps.storage.stat(key)) === null) await deps.storage.putFile(key, s.tempPath);
  if ((await deps.storage.stat(thumbnailKey(s.sha256))) === null) {
    await deps.storage.put(thumbnailKey(s.sha256), probe.thumbnail);
  }
  return {
    kind: "ok",
    staged: s,
    format: s.format,
    width: probe.width,
    height: probe.height,
    channels: probe.channels,
  };
};

/**
 * Turns probed files into rows, in request order, in one transaction: duplicates (same sha256 in
 * this project, also within the request) answer with the existing image.
 */
export const commitProbed = async (
  deps: Deps,
  projectId: number,
  probed: Probed[],
): Promise<UploadResult[]> => {
  const now = deps.now();
  // Only database work inside: the bytes were put before, the tiles are asked for after.
  const results = await deps.sql.transaction().execute(async (trx) => {
    const repo = imageRepo(trx, deps.dialect);
    const out: UploadResult[] = [];
    for (const p of probed) {
      if (p.kind === "rejected") {
        out.push(p.result);
        continue;
      }
      const { staged } = p;
      const duplicate = async () => {
        const existing = await repo.bySha(projectId, staged.sha256);
        if (!existing) return false;
        out.push({ fileName: staged.fileName, status: "duplicate", image: toImage(existing) });
        return true;
      };
      if (await duplicate()) continue;
      const id = await repo.insert(
        {
          projectId,
          sha256: staged.sha256,
          fileName: staged.fileName,
          width: p.width,
          height: p.height,
          channels: p.channels,
          format: p.format,
          byteSize: staged.byteSize,
          tileState: p.width * p.height > deps.config.tileThresholdPixels ? "pending" : "none",
        },
        now,
      );
      if (id === null && (await duplicate())) continue;
      const row = id === null ? null : await repo.row(id);
      if (!row) throw new Error("inserted image vanished");
      out.push({ fileName: staged.fileName, status: "created", image: toImage(row) });
    }
    return out;
  });
  // After the commit, so the tile worker finds the rows it is asked to tile.
  for (const r of results) {
    if (r.status === "created" && r.image.tiles.state === "pending") deps.tiles.generate(r.image.sha256);
  }
  return results;
};

export const newTempPath = (deps: Deps) => `${deps.storage.tempDir}/${randomUUID()}`;

export const discardTemp = (path: string) => fsp.rm(path, { force: true }).catch(() => undefined);
