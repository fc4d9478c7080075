import { describe, expect, expectTypeOf, it } from "vitest";
import { type ImagePoint, imagePoint, type ScreenPoint, screenPoint } from "./types.js";
import { imageToScreen, screenToImage } from "./viewport.js";

// The brands are checked by the compiler (`npm run typecheck` compiles this file with
// tsconfig.test.json): each @ts-expect-error below is an error only while the brand is required.
describe("point spaces", () => {
  it("does not take a plain {x, y} for an image or a screen point", () => {
    // @ts-expect-error a plain object has no image brand
    const plainImage: ImagePoint = { x: 1, y: 2 };
    // @ts-expect-error a plain object has no screen brand
    const plainScreen: ScreenPoint = { x: 1, y: 2 };
    expect([plainImage, plainScreen]).toEqual([imagePoint(1, 2), screenPoint(1, 2)]);
  });

  it("does not take one space's point for the other's", () => {
    // @ts-expect-error a screen point is not an image point
    const wrongImage: ImagePoint = screenPoint(1, 2);
    // @ts-expect-error an image point is not a screen point
    const wrongScreen: ScreenPoint = imagePoint(1, 2);
    expect(wrongImage).toEqual(wrongScreen);
    expectTypeOf(imagePoint(1, 2)).not.toEqualTypeOf<ScreenPoint>();
  });

  it("brands what the conversions return", () => {
    const v = { scale: 2, offsetX: 10, offsetY: 0 };
    expectTypeOf(imageToScreen(v, imagePoint(1, 2))).toEqualTypeOf<ScreenPoint>();
    expectTypeOf(screenToImage(v, screenPoint(12, 4))).toEqualTypeOf<ImagePoint>();
    expect(screenToImage(v, imageToScreen(v, imagePoint(1, 2)))).toEqual(imagePoint(1, 2));
  });
});
