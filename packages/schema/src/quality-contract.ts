import { z } from "zod";
import { AnnotationSet, IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import { ImageCopy } from "./quality.js";

/** Quality control, part 2 (issue 16): gold images, copies, quality settings, qualification. */
const ImageParams = z.object({ imageId: IdParam });
const CopyParams = z.object({ imageId: IdParam, userId: IdParam });

export const qualityApi = {
  listImageCopies: endpoint({
    method: "GET",
    path: "/images/:imageId/copies",
    summary:
      "Who holds a private copy of the image (gold, qualification, overlap), in which state, with its counts",
    params: ImageParams,
    response: z.object({ items: z.array(ImageCopy) }),
  }),
  getImageCopy: endpoint({
    method: "GET",
    path: "/images/:imageId/copies/:userId",
    summary: "One person's copy of the image, shaped as the image's annotations are",
    params: CopyParams,
    response: AnnotationSet,
  }),
};
