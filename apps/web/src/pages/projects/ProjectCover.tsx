import type { Image } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { call, urlOf } from "../../api/client";
import { Icon } from "../../ui/icons";

const COVER_IMAGES = 4;

/**
 * A strip of the project's first thumbnails, so projects are told apart at a glance. Purely
 * decorative: a failure to load it leaves the neutral strip and says nothing (the card has the facts).
 */
export function ProjectCover({ projectId, imageCount }: { projectId: number; imageCount: number }) {
  const [images, setImages] = useState<Image[] | null>(null);

  useEffect(() => {
    if (imageCount === 0) return;
    const controller = new AbortController();
    call("listImages", { params: { projectId }, query: { limit: COVER_IMAGES }, signal: controller.signal })
      .then((p) => setImages(p.items))
      .catch(() => setImages([]));
    return () => controller.abort();
  }, [projectId, imageCount]);

  if (imageCount === 0) {
    return (
      <div className="project-cover project-cover--empty" aria-hidden="true">
        <Icon name="image" size={22} />
        <span>No images yet</span>
      </div>
    );
  }
  return (
    <div className="project-cover" aria-hidden="true">
      {Array.from({ length: COVER_IMAGES }, (_, i) => {
        const img = images?.[i];
        return (
          <span key={img?.id ?? `slot-${i}`} className="project-cover__cell">
            {img && (
              <img
                src={urlOf("imageThumbnail", { imageId: img.id })}
                alt=""
                loading="lazy"
                decoding="async"
              />
            )}
          </span>
        );
      })}
    </div>
  );
}
