/** A default palette of distinguishable colours (Tableau 10 + 2), cycled by label position. */
export const DEFAULT_PALETTE = [
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
] as const;

export const paletteColor = (index: number): string =>
  DEFAULT_PALETTE[index % DEFAULT_PALETTE.length] as string;
