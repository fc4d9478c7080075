import { type Bounds, centreOn, clamp, imagePoint, type Size, type Viewport } from "@labelbench/geometry";

/** A stepped-to object is at least this long (its longer side, screen px) unless that would hide part of it. */
export const READABLE_OBJECT_PX = 120;
/** Free screen space kept around an object shown whole. */
export const FOCUS_MARGIN_PX = 48;

/**
 * The camera that shows one object (its bounds in image px) in the middle of the stage, readable and
 * whole: the current zoom when it already is both (stepping through objects of one size keeps the
 * zoom steady), else the nearest zoom that makes the object's longer side READABLE_OBJECT_PX on
 * screen, and never so close that part of it falls outside the stage (a big object is shown whole).
 * `range` is the editor's zoom range, which wins over both.
 */
export const focusViewport = (
  current: Viewport,
  bounds: Bounds,
  stage: Size,
  range: { min: number; max: number },
): Viewport => {
  const width = bounds.maxX - bounds.minX;
  const height = bounds.maxY - bounds.minY;
  // A small stage keeps at least half of each side for the object.
  const marginX = Math.min(FOCUS_MARGIN_PX, stage.width / 4);
  const marginY = Math.min(FOCUS_MARGIN_PX, stage.height / 4);
  const wholeScale = Math.min(
    width > 0 ? (stage.width - 2 * marginX) / width : Number.POSITIVE_INFINITY,
    height > 0 ? (stage.height - 2 * marginY) / height : Number.POSITIVE_INFINITY,
  );
  const side = Math.max(width, height);
  const readableScale = side > 0 ? READABLE_OBJECT_PX / side : Number.POSITIVE_INFINITY;
  let scale = current.scale;
  if (scale < readableScale) scale = readableScale;
  if (scale > wholeScale) scale = wholeScale;
  scale = clamp(scale, range.min, range.max);
  const centre = imagePoint((bounds.minX + bounds.maxX) / 2, (bounds.minY + bounds.maxY) / 2);
  return centreOn({ ...current, scale }, centre, stage);
};

/**
 * The object after (`step` 1) or before (-1) the selection in `order` (the document's order, hidden
 * objects left out), wrapping around; with nothing of `order` selected, the first or the last.
 */
export const steppedObject = <T>(order: readonly T[], selected: ReadonlySet<T>, step: 1 | -1): T | null => {
  if (order.length === 0) return null;
  let at = -1;
  if (step === 1) {
    for (let i = order.length - 1; i >= 0; i--)
      if (selected.has(order[i] as T)) {
        at = i;
        break;
      }
    return order[(at + 1) % order.length] ?? null;
  }
  for (let i = 0; i < order.length; i++)
    if (selected.has(order[i] as T)) {
      at = i;
      break;
    }
  return order[at === -1 ? order.length - 1 : (at - 1 + order.length) % order.length] ?? null;
};
