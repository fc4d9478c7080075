import type { AnnotationSet } from "@labelbench/schema";
import { CONFIG_NAMES } from "./label-config.js";
import type { ProjectLabel } from "./repo.js";

/** Label Studio's project reference, as its backends key their models by: `<id>.<created, epoch s>`. */
export const lsProjectRef = (projectId: number, createdAt: string): string =>
  `${projectId}.${Math.floor(Date.parse(createdAt) / 1000)}`;

/** The URL a backend downloads an image from (with its key as `Authorization: Token <key>`). */
export const imageUrl = (publicUrl: string, imageId: number): string =>
  `${publicUrl.replace(/\/+$/, "")}/api/v1/images/${imageId}/file`;

export const lsTask = (publicUrl: string, image: { id: number; file_name?: string }) => ({
  id: image.id,
  data: { image: imageUrl(publicUrl, image.id) },
  meta: image.file_name === undefined ? {} : { file_name: image.file_name },
});

const pct = (v: number, of: number) => (of > 0 ? (v / of) * 100 : 0);

/**
 * An image's annotation set as one Label Studio annotation (its `result` in percent of the image,
 * as Label Studio stores it), for the training webhooks: boxes as rectanglelabels, polygons as
 * polygonlabels, whole-image tags as one choices item. The annotation's id is the image's.
 */
export const lsAnnotation = (
  set: AnnotationSet,
  image: { width: number; height: number },
  labels: readonly ProjectLabel[],
  meta: { updatedAt: string; updatedBy: string | null },
) => {
  const nameOf = new Map(labels.map((l) => [l.id, l.name]));
  const base = {
    to_name: CONFIG_NAMES.image,
    original_width: image.width,
    original_height: image.height,
    image_rotation: 0,
  };
  const result: Record<string, unknown>[] = set.annotations.map((a) => {
    const label = nameOf.get(a.labelId) ?? String(a.labelId);
    if (a.geometry.type === "box") {
      const g = a.geometry;
      return {
        id: a.id,
        ...base,
        from_name: CONFIG_NAMES.rectangle,
        type: "rectanglelabels",
        value: {
          x: pct(g.x, image.width),
          y: pct(g.y, image.height),
          width: pct(g.width, image.width),
          height: pct(g.height, image.height),
          rotation: 0,
          rectanglelabels: [label],
        },
      };
    }
    return {
      id: a.id,
      ...base,
      from_name: CONFIG_NAMES.polygon,
      type: "polygonlabels",
      value: {
        points: a.geometry.points.map(([x, y]) => [pct(x, image.width), pct(y, image.height)]),
        closed: true,
        polygonlabels: [label],
      },
    };
  });
  if (set.tags.length > 0)
    result.push({
      id: `tags-${set.imageId}`,
      ...base,
      from_name: CONFIG_NAMES.choices,
      type: "choices",
      value: { choices: set.tags.map((t) => nameOf.get(t) ?? String(t)) },
    });
  return {
    id: set.imageId,
    task: set.imageId,
    result,
    was_cancelled: false,
    ground_truth: false,
    completed_by: meta.updatedBy,
    updated_at: meta.updatedAt,
    revision: set.revision,
  };
};
