import type { ImageListQuery, ImagePatch, ImageScope } from "@labelbench/schema";
import type { Request } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { originalKey } from "../../storage/keys.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { removeImageFiles } from "./files.js";
import { decodeCursor, encodeCursor, type ImageOrder, type KeyValue, keyOf, resolveOrder } from "./order.js";
import { createRenditions } from "./renditions.js";
import { type ImageRow, imageRepo, toImage } from "./repo.js";
import { CONTENT_TYPES } from "./sniff.js";
import { handleUpload } from "./upload.js";

/** A stored file to send: where it is, its entity tag, type and size (serve.ts sends it). */
export interface StoredFile {
  key: string;
  etag: string;
  contentType: string;
  size: number;
}

/** Browsers draw every accepted format but TIFF: those get a lossless PNG, made once and cached. */
const BROWSER_NATIVE = new Set(["jpeg", "png", "webp", "gif", "bmp"]);

/** What the images endpoints do beyond parsing and replying: the router only wires these. */
export const imagesService = (deps: Deps) => {
  const projects = projectRepo(deps.sql);
  const images = imageRepo(deps.sql, deps.dialect);
  const renditions = createRenditions(deps);

  const requireImage = async (id: number): Promise<ImageRow> => {
    const row = await images.row(id);
    if (!row) throw notFound("image", id);
    return row;
  };

  const original = async (row: ImageRow): Promise<StoredFile> => {
    const key = originalKey(row.sha256);
    const stat = await deps.storage.stat(key);
    if (!stat) throw new AppError("NOT_FOUND", `the file of image ${row.id} is missing from storage`);
    return { key, etag: row.sha256, contentType: CONTENT_TYPES[row.format], size: stat.size };
  };

  /** The cursor's position in `order`, or a VALIDATION_ERROR saying why it is not one. */
  const cursorPosition = (cursor: string, order: ImageOrder): KeyValue[] => {
    const c = decodeCursor(cursor, order);
    if (c.ok) return c.key;
    throw new AppError(
      "VALIDATION_ERROR",
      c.reason === "other-order"
        ? `cursor continues the order sort=${c.sort}&order=${c.order}, not sort=${order.sort}&order=${order.order}; start again without a cursor`
        : "cursor is not one this server issued",
      [
        {
          path: "query.cursor",
          message: c.reason === "other-order" ? "from another order" : "not a cursor this server issued",
        },
      ],
    );
  };

  return {
    requireImage,

    upload: async (projectId: number, req: Request) => {
      await requireProject(projects, projectId);
      const results = await handleUpload(deps, projectId, req);
      if (results.some((x) => x.status === "created")) await projects.touch(projectId, deps.now());
      return { results };
    },

    list: async (projectId: number, query: z.output<typeof ImageListQuery>) => {
      await requireProject(projects, projectId);
      if (query.cursor && query.offset !== undefined) {
        throw new AppError("VALIDATION_ERROR", "give either cursor or offset, not both", [
          { path: "query.offset", message: "not allowed together with cursor" },
        ]);
      }
      const order = resolveOrder(query);
      const after = query.cursor ? cursorPosition(query.cursor, order) : null;
      const rows = await images.page(projectId, {
        status: query.status,
        q: query.q,
        folder: query.folder,
        predictionRun: query.predictionRun,
        order,
        after,
        limit: query.limit,
        offset: query.offset,
      });
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const last = page[page.length - 1];
      const tags = await images.tagsOf(page.map((r) => r.id));
      return {
        items: page.map((r) => ({ ...toImage(r), tags: tags.get(r.id) ?? [] })),
        nextCursor: more && last ? encodeCursor(order, keyOf(order, last)) : null,
        // Within a folder the counts are the folder's, so the grid knows its length (issue 18).
        counts:
          query.folder || query.predictionRun !== undefined
            ? await images.filteredCounts(projectId, query)
            : await images.statusCounts(projectId),
      };
    },

    /** Status changes and renames; annotators may change the status but not the name. */
    update: async (
      imageId: number,
      body: z.output<typeof ImagePatch>,
      by: { role: string | undefined; actor: string | null },
    ) => {
      const row = await requireImage(imageId);
      if (body.fileName !== undefined && by.role !== "admin" && by.role !== "manager") {
        throw new AppError("FORBIDDEN", "only managers may rename an image; you may change its status");
      }
      if (body.fileName !== undefined && body.fileName !== row.file_name) {
        // Names stay unique within a project once renamed: exports, searches and folders tell images apart by them.
        const other = await images.named(row.project_id, body.fileName);
        if (other !== null && other !== imageId)
          throw new AppError(
            "CONFLICT",
            `image ${other} of this project is already named "${body.fileName}"; choose another name`,
          );
      }
      await images.update(imageId, body, deps.now(), by.actor);
      return toImage(await requireImage(imageId));
    },

    remove: async (imageId: number) => {
      const row = await requireImage(imageId);
      await images.delete(row.id);
      await removeImageFiles(deps, [row.sha256]);
    },

    neighbours: async (imageId: number, query: z.output<typeof ImageScope>) => {
      const row = await requireImage(imageId);
      return images.neighbours(
        row,
        { status: query.status, q: query.q, folder: query.folder, predictionRun: query.predictionRun },
        resolveOrder(query),
      );
    },

    original: async (imageId: number) => original(await requireImage(imageId)),

    /** What the browser draws: the original, or for TIFF its PNG rendition. */
    display: async (imageId: number): Promise<StoredFile> => {
      const row = await requireImage(imageId);
      if (BROWSER_NATIVE.has(row.format)) return original(row);
      const { key, size } = await renditions.ensure(row, "display");
      return { key, etag: `${row.sha256}-d`, contentType: "image/png", size };
    },

    /** Made at upload; made again (once, however many ask at the same time) if storage lost it. */
    thumbnail: async (imageId: number): Promise<StoredFile> => {
      const row = await requireImage(imageId);
      const { key, size } = await renditions.ensure(row, "thumbnail");
      return { key, etag: `${row.sha256}-t`, contentType: "image/webp", size };
    },
  };
};
export type ImagesService = ReturnType<typeof imagesService>;
