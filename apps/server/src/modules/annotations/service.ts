import { randomUUID } from "node:crypto";
import type { AnnotationSet, AnnotationSetPut } from "@labelbench/schema";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { imageRepo } from "../images/repo.js";
import { labelRepo } from "../labels/repo.js";
import { annotationRepo, type StoredAnnotation } from "./repo.js";
import { annotationSetJson } from "./set-json.js";
import { validateAnnotationSet } from "./validate.js";

export const annotationService = (deps: Deps) => {
  const images = imageRepo(deps.db);
  const labels = labelRepo(deps.db);
  const repo = annotationRepo(deps.db);
  const requireImage = (id: number) => {
    const row = images.row(id);
    if (!row) throw notFound("image", id);
    return row;
  };

  return {
    get: (imageId: number): AnnotationSet => {
      requireImage(imageId);
      return repo.get(imageId);
    },

    /** The set as JSON spliced from the stored rows, or null when a row needs the ordinary path. */
    getJson: (imageId: number): string | null => {
      requireImage(imageId);
      const { revision, rows, tags } = repo.raw(imageId);
      return annotationSetJson(imageId, revision, rows, tags);
    },

    /**
     * Replaces the set if `baseRevision` is the current one. Validation happens before the
     * transaction; the revision check and the write happen inside it, so two concurrent saves
     * cannot both win.
     */
    put: (imageId: number, body: z.output<typeof AnnotationSetPut>, actor: string | null): AnnotationSet => {
      const image = requireImage(imageId);
      const labelMap = new Map(labels.list(image.project_id).map((l) => [l.id, l]));
      const checked = validateAnnotationSet(body, image, labelMap);
      if (!checked.ok) {
        // Same field paths as the route helper's schema errors: relative to the request body.
        const issues = checked.issues.map((i) => ({ path: `body.${i.path}`, message: i.message }));
        const first = issues[0];
        throw new AppError(
          "VALIDATION_ERROR",
          `${issues.length} invalid field(s); first: ${first?.path}: ${first?.message}`,
          issues,
        );
      }
      const now = deps.now();
      return deps.db.transaction(() => {
        const current = repo.revision(imageId);
        if (current !== body.baseRevision) {
          throw new AppError(
            "REVISION_CONFLICT",
            `image ${imageId} is at revision ${current}, not ${body.baseRevision}: someone else saved first`,
            repo.get(imageId),
          );
        }
        const before = repo.stored(imageId);
        const items: StoredAnnotation[] = checked.annotations.map((a) => {
          const uid = a.id ?? randomUUID();
          const geometryJson = JSON.stringify(a.geometry);
          const old = before.get(uid);
          if (old && old.labelId === a.labelId && old.geometryJson === geometryJson) return old;
          return {
            uid,
            labelId: a.labelId,
            geometryJson,
            createdBy: old ? old.createdBy : actor,
            createdAt: old ? old.createdAt : now,
            updatedBy: actor,
            updatedAt: now,
          };
        });
        repo.replace(imageId, before, items, checked.tags, now);
        // The reply is built from what was just written rather than read back and re-parsed.
        return {
          imageId,
          revision: current + 1,
          annotations: items.map((a, i) => ({
            id: a.uid,
            labelId: a.labelId,
            geometry: checked.annotations[i]?.geometry ?? JSON.parse(a.geometryJson),
            createdBy: a.createdBy,
            updatedBy: a.updatedBy,
            createdAt: a.createdAt,
            updatedAt: a.updatedAt,
          })),
          tags: repo.tags(imageId),
        };
      })();
    },
  };
};
