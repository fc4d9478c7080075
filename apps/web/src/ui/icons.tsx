import type { SVGProps } from "react";

/** A small stroke icon set (24px grid, currentColor) so every control draws the same way. */
export const ICON_PATHS = {
  plus: "M12 5v14M5 12h14",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3",
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4",
  grip: "M9 6h.01M9 12h.01M9 18h.01M15 6h.01M15 12h.01M15 18h.01",
  upload: "M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3",
  folder: "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7z",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4",
  close: "M6 6l12 12M18 6L6 18",
  check: "M5 12l5 5L20 7",
  alert: "M12 8v5M12 16.5h.01M10.3 4.2L2.6 18a2 2 0 0 0 1.7 3h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z",
  image: "M4 5h16v14H4zM4 16l4.5-4.5 3.5 3.5 2.5-2.5L20 17M15.5 9.5h.01",
  tag: "M3 12V4h8l10 10-8 8L3 12zM7.5 7.5h.01",
  chart: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  download: "M12 4v12M7 11l5 5 5-5M4 20h16",
  more: "M5 12h.01M12 12h.01M19 12h.01",
  arrowLeft: "M19 12H5M11 18l-6-6 6-6",
  chevronDown: "M6 9l6 6 6-6",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  refresh: "M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7",
  box: "M4 4h16v16H4z",
  star: "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z",
  polygon: "M12 3l9 6.5-3.5 10.5h-11L3 9.5z",
  layers: "M12 3l9 5-9 5-9-5 9-5zM3 13l9 5 9-5",
  keyboard: "M3 6h18v12H3zM7 10h.01M11 10h.01M15 10h.01M7 14h10",
  info: "M12 11v6M12 7.5h.01M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z",
  users:
    "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1M16 3.5a4 4 0 0 1 0 7M22 21v-1a6 6 0 0 0-4-5.6",
  key: "M8 20a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM10.8 13.2L20 4M17 7l2.5 2.5M14.5 9.5l2 2",
  logout: "M9 20H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h3M16 16l4-4-4-4M20 12H10",
  lock: "M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4",
  sortAsc: "M7 20V4M3 8l4-4 4 4M14 6h3M14 12h5M14 18h7",
  sortDesc: "M7 4v16M3 16l4 4 4-4M14 6h7M14 12h5M14 18h3",
} as const;

export type IconName = keyof typeof ICON_PATHS;

/** One stroke path on the 24px grid in currentColor: what every icon set of the app draws with. */
export function StrokeIcon({
  path,
  size = 18,
  strokeWidth = 1.8,
  ...rest
}: { path: string; size?: number | undefined } & Omit<SVGProps<SVGSVGElement>, "path">) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={strokeWidth}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      <path d={path} />
    </svg>
  );
}

export function Icon({
  name,
  ...rest
}: { name: IconName; size?: number | undefined } & Omit<SVGProps<SVGSVGElement>, "path">) {
  // Dot-only icons need a heavier stroke to be seen at all.
  return (
    <StrokeIcon
      path={ICON_PATHS[name]}
      strokeWidth={name === "grip" || name === "more" ? 3 : 1.8}
      {...rest}
    />
  );
}

/** The product mark: a bounding box with its four corner handles, the thing users draw all day. */
export function Logo({ size = 26 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <rect x="9" y="9" width="14" height="14" rx="1" fill="none" stroke="#fff" strokeWidth="2" />
      <rect x="6.5" y="6.5" width="5" height="5" rx="1.2" fill="#fff" />
      <rect x="20.5" y="6.5" width="5" height="5" rx="1.2" fill="#fff" />
      <rect x="6.5" y="20.5" width="5" height="5" rx="1.2" fill="#fff" />
      <rect x="20.5" y="20.5" width="5" height="5" rx="1.2" fill="#c7d2fe" />
    </svg>
  );
}
