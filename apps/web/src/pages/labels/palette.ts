/**
 * Colours offered in the label colour picker. The first twelve are the server's default palette
 * (Tableau 10 + 2, apps/server/src/modules/labels/palette.ts) so a picked colour matches what the
 * server would have assigned; the rest widen the choice with hues that stay apart from those.
 */
export const LABEL_PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#17becf",
  "#bcbd22",
  "#1f3a93",
  "#d62728",
  "#2ca02c",
  "#8c564b",
] as const;
