import type { Image } from "@labelbench/schema";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { TilesNotice } from "./TilesNotice";

const image = (state: Image["tiles"]["state"], progress: number): Image => ({
  id: 5,
  projectId: 1,
  fileName: "big.jpg",
  sha256: "x",
  width: 20_000,
  height: 20_000,
  format: "jpeg",
  byteSize: 1,
  status: "new",
  annotationCount: 0,
  tiles: { state, progress, tileSize: null, levels: null },
  createdAt: "t",
  updatedAt: "t",
});

afterEach(cleanup);

describe("TilesNotice", () => {
  it("covers the canvas with the progress while there is nothing to draw on", () => {
    render(<TilesNotice image={image("pending", 0.426)} hasPreview={false} />);
    expect(screen.getByTestId("tiles-percent").textContent).toBe("42%");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("42");
    expect(screen.getByRole("status").textContent).toContain("20,000 × 20,000 px (400 MP)");
  });

  it("only tells the progress when the user can work over a preview", () => {
    render(<TilesNotice image={image("pending", 0.5)} hasPreview />);
    expect(screen.getByRole("status").textContent).toContain("50%");
    expect(screen.queryByRole("progressbar")).toBeNull();
  });

  it("says why a failed image cannot be shown and offers the way out", () => {
    render(<TilesNotice image={image("failed", 0)} hasPreview={false} actions={<a href="/p">Back</a>} />);
    expect(screen.getByRole("alert").textContent).toContain("cannot be shown");
    expect(screen.getByRole("link", { name: "Back" })).toBeTruthy();
  });

  it("shows nothing for untiled images and ready pyramids", () => {
    const { container } = render(
      <>
        <TilesNotice image={image("none", 0)} hasPreview={false} />
        <TilesNotice image={image("ready", 1)} hasPreview={false} />
      </>,
    );
    expect(container.childElementCount).toBe(0);
  });
});
