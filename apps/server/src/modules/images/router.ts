import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/router.js";
import { originalKey, removeImageFiles } from "./files.js";
import { decodeCursor, encodeCursor, type KeyValue, keyOf, resolveOrder } from "./order.js";
import { createRenditions } from "./renditions.js";
import { imageRepo, statusCounts, toImage } from "./repo.js";
import { sendStored } from "./serve.js";
import { CONTENT_TYPES } from "./sniff.js";
import { handleUpload } from "./upload.js";

export const imagesRouter = (deps: Deps): Router => {
  const r = Router();
  const projects = projectRepo(deps.db);
  const images = imageRepo(deps.db);
  const renditions = createRenditions(deps);
  const requireImage = (id: number) => {
    const row = images.row(id);
    if (!row) throw notFound("image", id);
    return row;
  };

  route(r, api.uploadImages, async ({ params, req }) => {
    requireProject(projects, params.projectId);
    const results = await handleUpload(deps, params.projectId, req);
    if (results.some((x) => x.status === "created")) projects.touch(params.projectId, deps.now());
    return { results };
  });

  route(r, api.listImages, ({ params, query }) => {
    requireProject(projects, params.projectId);
    if (query.cursor && query.offset !== undefined) {
      throw new AppError("VALIDATION_ERROR", "give either cursor or offset, not both", [
        { path: "query.offset", message: "not allowed together with cursor" },
      ]);
    }
    const order = resolveOrder(query);
    let after: KeyValue[] | null = null;
    if (query.cursor) {
      const c = decodeCursor(query.cursor, order);
      if (!c.ok)
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
      after = c.key;
    }
    const rows = images.page(params.projectId, {
      status: query.status,
      q: query.q,
      order,
      after,
      limit: query.limit,
      offset: query.offset,
    });
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toImage),
      nextCursor: more && last ? encodeCursor(order, keyOf(order, last)) : null,
      counts: statusCounts(deps.db, params.projectId),
    };
  });

  route(r, api.getImage, ({ params }) => toImage(requireImage(params.imageId)));

  route(r, api.updateImage, ({ params, body, res }) => {
    requireImage(params.imageId);
    const auth = authOf(res);
    if (body.fileName !== undefined && auth?.user.role === "annotator") {
      throw new AppError("FORBIDDEN", "annotators may change an image's status but not rename it");
    }
    images.update(params.imageId, body, deps.now(), actorOf(res));
    return toImage(requireImage(params.imageId));
  });

  route(r, api.deleteImage, async ({ params }) => {
    const row = requireImage(params.imageId);
    images.delete(row.id);
    await removeImageFiles(deps, [row.sha256]);
  });

  route(r, api.imageNeighbours, ({ params, query }) => {
    const row = requireImage(params.imageId);
    return images.neighbours(row, { status: query.status, q: query.q }, resolveOrder(query));
  });

  route(r, api.imageFile, async ({ params, req, res }) => {
    const row = requireImage(params.imageId);
    const key = originalKey(row.sha256);
    const stat = await deps.storage.stat(key);
    if (!stat) throw new AppError("NOT_FOUND", `the file of image ${row.id} is missing from storage`);
    await sendStored(req, res, deps.storage, key, row.sha256, CONTENT_TYPES[row.format], stat.size);
  });

  // Browsers draw every accepted format but TIFF: those get a lossless PNG, made once and cached.
  route(r, api.imageDisplay, async ({ params, req, res }) => {
    const row = requireImage(params.imageId);
    if (!BROWSER_NATIVE.has(row.format)) {
      const { key, size } = await renditions.ensure(row, "display");
      await sendStored(req, res, deps.storage, key, `${row.sha256}-d`, "image/png", size);
      return;
    }
    const key = originalKey(row.sha256);
    const stat = await deps.storage.stat(key);
    if (!stat) throw new AppError("NOT_FOUND", `the file of image ${row.id} is missing from storage`);
    await sendStored(req, res, deps.storage, key, row.sha256, CONTENT_TYPES[row.format], stat.size);
  });

  // Made at upload; made again (once, however many ask at the same time) if storage lost it.
  route(r, api.imageThumbnail, async ({ params, req, res }) => {
    const row = requireImage(params.imageId);
    const { key, size } = await renditions.ensure(row, "thumbnail");
    await sendStored(req, res, deps.storage, key, `${row.sha256}-t`, "image/webp", size);
  });

  return r;
};

const BROWSER_NATIVE = new Set(["jpeg", "png", "webp", "gif", "bmp"]);
