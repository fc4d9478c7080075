import { z } from "zod";
import { AnnotationSet, IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import { GoldRequest, GoldResult, ImageCopy, QualificationStatus, QualitySettings } from "./quality.js";

/** Quality control, part 2 (issue 16): gold images, copies, quality settings, qualification. */
const ImageParams = z.object({ imageId: IdParam });
const CopyParams = z.object({ imageId: IdParam, userId: IdParam });
const ProjectParams = z.object({ projectId: IdParam });
const MemberParams = z.object({ projectId: IdParam, userId: IdParam });

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
  getQualitySettings: endpoint({
    method: "GET",
    path: "/projects/:projectId/quality/settings",
    summary: "The project's honeypot, qualification, overlap, audit and matching settings",
    params: ProjectParams,
    response: QualitySettings,
  }),
  putQualitySettings: endpoint({
    method: "PUT",
    path: "/projects/:projectId/quality/settings",
    summary: "Change the quality settings; fields left out keep their value",
    params: ProjectParams,
    body: QualitySettings.partial(),
    response: QualitySettings,
  }),
  markGold: endpoint({
    method: "POST",
    path: "/projects/:projectId/images/gold",
    summary:
      "Mark images gold (honeypot or qualification: their annotations become the reference) or unmark them (null); one result per image",
    params: ProjectParams,
    body: GoldRequest,
    response: GoldResult,
  }),
  listQualification: endpoint({
    method: "GET",
    path: "/projects/:projectId/qualification",
    summary: "Each annotator's qualification in the project: state, images submitted, accuracy",
    params: ProjectParams,
    response: z.object({
      items: z.array(QualificationStatus.extend({ userId: z.number().int(), name: z.string() })),
    }),
  }),
  resetQualification: endpoint({
    method: "POST",
    path: "/projects/:projectId/qualification/:userId/reset",
    summary:
      "Let an annotator take the qualification again: their qualification copies and results are removed",
    params: MemberParams,
    response: QualificationStatus,
  }),
};
