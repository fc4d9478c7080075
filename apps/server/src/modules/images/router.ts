import { api, type Image } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { type CopyCaller, copyService } from "../copies/service.js";
import { toImage } from "./repo.js";
import { sendStored } from "./serve.js";
import { imagesService, type StoredFile } from "./service.js";

export const imagesRouter = (deps: Deps): Router => {
  const r = Router();
  const images = imagesService(deps);
  // What an annotator reads of a gold image or of their copy is their copy's (issue 16).
  const copies = copyService(deps);
  const callerOf = (res: Parameters<typeof authOf>[0]): CopyCaller | undefined => {
    const user = authOf(res)?.user;
    return user && { userId: user.id, role: user.role };
  };
  const blindOne = async (image: Image, caller: CopyCaller | undefined): Promise<Image> =>
    (await copies.blind([image], caller))[0] ?? image;
  const send = (
    req: Parameters<typeof sendStored>[0],
    res: Parameters<typeof sendStored>[1],
    f: StoredFile,
  ) => sendStored(req, res, deps.storage, f.key, f.etag, f.contentType, f.size);

  route(r, api.uploadImages, ({ params, req }) => images.upload(params.projectId, req));
  route(r, api.listImages, async ({ params, query, res }) => {
    const page = await images.list(params.projectId, query);
    return { ...page, items: await copies.blind(page.items, callerOf(res)) };
  });
  route(r, api.getImage, async ({ params, res }) =>
    blindOne(toImage(await images.requireImage(params.imageId)), callerOf(res)),
  );
  route(r, api.updateImage, async ({ params, body, res }) => {
    const caller = callerOf(res);
    // A status set on one's copy changes nothing of the image (its status is the reference's).
    if (await copies.targetOf(params.imageId, caller))
      return blindOne(toImage(await images.requireImage(params.imageId)), caller);
    return images.update(params.imageId, body, { role: authOf(res)?.user.role, actor: actorOf(res) });
  });
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
