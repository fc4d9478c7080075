import type { Image } from "@labelbench/schema";
import type { ReactNode } from "react";
import { tileProgressText } from "./image-tiles";
import "./tiles.css";

const megapixels = (image: Pick<Image, "width" | "height">) =>
  `${Math.round((image.width * image.height) / 1e6).toLocaleString("en")} MP`;

const size = (image: Pick<Image, "width" | "height">) =>
  `${image.width.toLocaleString("en")} × ${image.height.toLocaleString("en")} px`;

function Bar({ progress, label }: { progress: number; label: string }) {
  const pct = tileProgressText(progress);
  return (
    <div
      className="tiles-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Number.parseInt(pct, 10)}
    >
      <span className="tiles-bar__fill" style={{ width: pct }} />
    </div>
  );
}

/**
 * What the editor shows over the canvas while a big image's tile pyramid is not usable:
 * - pending without a preview: a card with the progress that blocks the canvas (nothing to draw on yet);
 * - pending with a preview: a small pill, the user works over the preview meanwhile;
 * - failed: why the image cannot be shown, with the way out.
 * Renders nothing for untiled images and ready pyramids.
 */
export function TilesNotice({
  image,
  hasPreview,
  actions,
}: {
  image: Image;
  hasPreview: boolean;
  /** Links shown under a failure (back to the project, download the original). */
  actions?: ReactNode;
}) {
  const { state, progress } = image.tiles;
  if (state === "pending" && hasPreview)
    return (
      <div className="tiles-pill" role="status" data-testid="tiles-progress">
        <span className="tiles-pill__spinner" aria-hidden="true" />
        Building full-resolution tiles… {tileProgressText(progress)} · showing a preview; annotations keep
        full-resolution coordinates
      </div>
    );
  if (state === "pending")
    return (
      <div className="tiles-cover" data-testid="tiles-progress">
        <div className="tiles-card" role="status" aria-live="polite">
          <p className="tiles-card__title">Preparing this large image</p>
          <p className="tiles-card__text">
            {size(image)} ({megapixels(image)}): the server is cutting it into tiles so it opens and pans like
            a small one. This page updates by itself when it is ready.
          </p>
          <Bar progress={progress} label="Tile generation progress" />
          <p className="tiles-card__pct" data-testid="tiles-percent">
            {tileProgressText(progress)}
          </p>
        </div>
      </div>
    );
  if (state === "failed")
    return (
      <div className="tiles-cover tiles-cover--failed" role="alert" data-testid="tiles-failed">
        <div className="tiles-card">
          <p className="tiles-card__title">This image cannot be shown</p>
          <p className="tiles-card__text">
            {size(image)} ({megapixels(image)}) is too large to show in one piece, and building its tiles
            failed: the stored file could not be decoded (the reason is in the server log). The file and its
            saved annotations are kept.
          </p>
          {actions && <div className="tiles-card__actions">{actions}</div>}
        </div>
      </div>
    );
  return null;
}
