import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { toImage } from "./repo.js";
import { sendStored } from "./serve.js";
import { imagesService, type StoredFile } from "./service.js";

export const imagesRouter = (deps: Deps): Router => {
  const r = Router();
  const images = imagesService(deps);
  const send = (
    req: Parameters<typeof sendStored>[0],
    res: Parameters<typeof sendStored>[1],
    f: StoredFile,
  ) => sendStored(req, res, deps.storage, f.key, f.etag, f.contentType, f.size);

  route(r, api.uploadImages, ({ params, req }) => images.upload(params.projectId, req));
  route(r, api.listImages, ({ params, query }) => images.list(params.projectId, query));
  route(r, api.getImage, async ({ params }) => toImage(await images.requireImage(params.imageId)));
  route(r, api.updateImage, ({ params, body, res }) =>
    images.update(params.imageId, body, { role: authOf(res)?.user.role, actor: actorOf(res) }),
  );
  route(r, api.deleteImage, ({ params }) => images.remove(params.imageId));
  route(r, api.imageNeighbours, ({ params, query }) => images.neighbours(params.imageId, query));
  route(r, api.imageFile, async ({ params, req, res }) =>
    send(req, res, await images.original(params.imageId)),
  );
  route(r, api.imageDisplay, async ({ params, req, res }) =>
    send(req, res, await images.display(params.imageId)),
  );
  route(r, api.imageThumbnail, async ({ params, req, res }) =>
    send(req, res, await images.thumbnail(params.imageId)),
  );

  return r;
};
