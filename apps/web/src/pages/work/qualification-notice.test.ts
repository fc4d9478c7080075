import { describe, expect, it } from "vitest";
import { qualificationNotice } from "./qualification-notice";

describe("qualificationNotice", () => {
  const base = { required: 3, submitted: 1, accuracy: 0.5, pass: 0.8 };
  it("says nothing without a qualification", () => {
    expect(qualificationNotice(undefined)).toBeNull();
    expect(qualificationNotice({ ...base, state: "none", required: 0 })).toBeNull();
  });
  it("counts the images to go, says a failure plainly, and confirms a pass", () => {
    expect(qualificationNotice({ ...base, state: "in_progress" })).toEqual({
      tone: "info",
      title: "Qualification first",
      text: "Label 3 qualification images before real work: 1 of 3 submitted. Real work opens at 80 % accuracy. Accuracy so far: 50 %.",
    });
    expect(qualificationNotice({ ...base, state: "failed", submitted: 3, accuracy: 0.62 })).toMatchObject({
      tone: "danger",
      text: "Your accuracy on the qualification images is 62 %, under the 80 % this project asks for. Real work stays closed until a manager lets you try again.",
    });
    expect(qualificationNotice({ ...base, state: "passed", submitted: 3, accuracy: 0.9 })).toMatchObject({
      tone: "success",
      title: "Qualified",
    });
  });
});
