import { geometryBounds } from "@labelbench/editor";
import type { Viewport } from "@labelbench/geometry";
import { type Ctx, drawTag, traceGeometry } from "../../editor/canvas/draw";
import { drawOrder, type Mark, OUTCOME_STYLE } from "./comparison-model";

/**
 * Draws the comparison in screen pixels with the editor's own tracing (draw.ts): checked shapes
 * solid and lightly filled in their outcome's colour, reference shapes as thin dashed ghosts beside
 * their pair, and missing reference shapes dashed and filled so an empty spot stands out. A dark
 * halo under every line keeps it visible on any picture.
 */
export interface ComparisonInput {
  viewport: Viewport;
  marks: readonly Mark[];
  /** The entry picked in the list: drawn thicker, with its label tags. */
  focus: string | null;
  nameOf: (labelId: number) => string;
  /** Which sides to draw (the reference alone, the checked set alone, or both). */
  show: { reference: boolean; checked: boolean };
}

const LINE_PX = 2;
const FOCUS_LINE_PX = 3.5;

export const drawComparison = (ctx: Ctx, o: ComparisonInput): void => {
  const { scale, offsetX, offsetY } = o.viewport;
  const map = (x: number, y: number): [number, number] => [x * scale + offsetX, y * scale + offsetY];
  const focused = new Set<string>();
  if (o.focus) {
    focused.add(o.focus);
    const partner = o.marks.find((m) => m.key === o.focus)?.partner;
    if (partner) focused.add(partner);
  }
  ctx.save();
  ctx.lineJoin = "round";
  for (const m of drawOrder(o.marks)) {
    if (!o.show[m.side]) continue;
    const style = OUTCOME_STYLE[m.outcome];
    const ghost = m.side === "reference" && m.partner !== null;
    const width = (focused.has(m.key) ? FOCUS_LINE_PX : LINE_PX) * (ghost ? 0.75 : 1);
    ctx.beginPath();
    traceGeometry(ctx, m.shape.geometry, map);
    if (!ghost) {
      ctx.globalAlpha = m.outcome === "matched" ? 0.12 : 0.22;
      ctx.fillStyle = style.colour;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.setLineDash(ghost ? [4, 4] : [...style.dash]);
    ctx.strokeStyle = "rgba(0,0,0,0.6)";
    ctx.lineWidth = width + 2;
    ctx.stroke();
    ctx.strokeStyle = ghost ? "#ffffff" : style.colour;
    ctx.lineWidth = width;
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // Tags name what is wrong where it is wrong: every difference, and the focused pair whatever it is.
  for (const m of o.marks) {
    if (!o.show[m.side]) continue;
    const paired = m.partner !== null;
    if (paired && m.side === "reference") continue;
    if (m.outcome === "matched" && !focused.has(m.key)) continue;
    const partner = paired ? o.marks.find((x) => x.key === m.partner) : undefined;
    const text =
      m.outcome === "mismatched" && partner
        ? `${o.nameOf(m.shape.labelId)} ≠ ${o.nameOf(partner.shape.labelId)}`
        : m.outcome === "missing"
          ? `missing ${o.nameOf(m.shape.labelId)}`
          : m.outcome === "extra"
            ? `extra ${o.nameOf(m.shape.labelId)}`
            : `${o.nameOf(m.shape.labelId)} · IoU ${(m.iou ?? 0).toFixed(2)}`;
    const b = geometryBounds(m.shape.geometry);
    const [x, y] = map(b.minX, b.minY);
    drawTag(ctx, text, x, y, OUTCOME_STYLE[m.outcome].colour);
  }
  ctx.restore();
};
