import type { SVGProps } from "react";
import { ICON_PATHS, StrokeIcon } from "../ui/icons";

/** The app's icon set plus the editor's own controls (24px grid, currentColor). */
const PATHS = {
  ...ICON_PATHS,
  select: "M5 3l14 8-6 1.5L10 19z",
  pan: "M8 13V5.5a1.5 1.5 0 0 1 3 0V12M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V13M17 9.5a1.5 1.5 0 0 1 3 0V15a6 6 0 0 1-6 6h-2a6 6 0 0 1-5-2.7L4.3 14a1.5 1.5 0 0 1 2.5-1.7L8 14",
  undo: "M9 14L4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11",
  redo: "M15 14l5-5-5-5M20 9H9.5a5.5 5.5 0 0 0 0 11H13",
  zoomIn: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4M11 8v6M8 11h6",
  zoomOut: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4M8 11h6",
  fit: "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5",
  eye: "M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  eyeOff:
    "M3 3l18 18M10.6 5.1A10 10 0 0 1 12 5c6.5 0 10 7 10 7a17 17 0 0 1-3.2 4.1M6.6 6.6C3.8 8.4 2 12 2 12s3.5 7 10 7a9.7 9.7 0 0 0 5.4-1.6M9.9 9.9a3 3 0 0 0 4.2 4.2",
  unlock: "M6 11h12v10H6zM8 11V7a4 4 0 0 1 7.7-1.5",
  prev: "M15 18l-6-6 6-6",
  next: "M9 18l6-6-6-6",
  nextNew: "M5 18l6-6-6-6M13 18l6-6-6-6",
  done: "M5 12l5 5L20 7",
  skip: "M5 5l8 7-8 7zM17 5v14",
  back: "M19 12H5M11 18l-6-6 6-6",
  cloudOff:
    "M3 3l18 18M8 19h9a4 4 0 0 0 2.3-.7M21 15.5A4 4 0 0 0 17.5 10 6 6 0 0 0 8.6 6.1M5.8 8.4A5 5 0 0 0 7 19",
  save: "M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6",
} as const;

export type EdIconName = keyof typeof PATHS;

export function EdIcon({
  name,
  ...rest
}: { name: EdIconName; size?: number | undefined } & Omit<SVGProps<SVGSVGElement>, "path">) {
  return <StrokeIcon path={PATHS[name]} {...rest} />;
}
