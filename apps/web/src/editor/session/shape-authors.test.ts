import type { Annotation, AnnotationSet } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { authorLine, authorTitle, createShapeAuthors, shortName } from "./shape-authors";

const ann = (
  id: string,
  createdBy: string | null,
  updatedBy: string | null,
  t = "2025-01-02T10:00:00.000Z",
) =>
  ({
    id,
    labelId: 1,
    geometry: { type: "box", x: 0, y: 0, width: 1, height: 1 },
    createdBy,
    updatedBy,
    createdAt: t,
    updatedAt: t,
  }) satisfies Annotation;

const set = (imageId: number, revision: number, annotations: Annotation[]): AnnotationSet => ({
  imageId,
  revision,
  annotations,
  tags: [],
});

describe("shape authors", () => {
  it("keeps each image's authors from the newest server reply and tells subscribers", () => {
    const a = createShapeAuthors();
    let calls = 0;
    a.subscribe(() => calls++);
    a.record(set(1, 2, [ann("s1", "ann@x.test", "ann@x.test")]));
    a.record(set(1, 3, [ann("s1", "ann@x.test", "bob@x.test"), ann("s2", "bob@x.test", "bob@x.test")]));
    expect(a.of(1).get("s1")?.updatedBy).toBe("bob@x.test");
    expect(a.of(1).get("s2")?.createdBy).toBe("bob@x.test");
    expect(calls).toBe(2);
  });

  it("ignores a reply older than one already seen", () => {
    const a = createShapeAuthors();
    a.record(set(1, 5, [ann("s1", "ann@x.test", "bob@x.test")]));
    a.record(set(1, 4, [ann("s1", "ann@x.test", "ann@x.test")]));
    expect(a.of(1).get("s1")?.updatedBy).toBe("bob@x.test");
  });

  it("answers the same object until the image's next reply, and an empty map for unknown images", () => {
    const a = createShapeAuthors();
    a.record(set(1, 1, [ann("s1", "ann@x.test", "ann@x.test")]));
    const first = a.of(1);
    a.record(set(2, 1, []));
    expect(a.of(1)).toBe(first);
    expect(a.of(99).size).toBe(0);
    expect(a.of(99)).toBe(a.of(98));
  });

  it("forgets the least recently recorded images beyond its capacity", () => {
    const a = createShapeAuthors(2);
    for (const id of [1, 2, 3]) a.record(set(id, 1, [ann(`s${id}`, "ann@x.test", "ann@x.test")]));
    expect(a.of(1).size).toBe(0);
    expect(a.of(3).size).toBe(1);
  });

  it("says who made and who last edited a shape", () => {
    expect(shortName("ann@x.test")).toBe("ann");
    expect(shortName("service-account")).toBe("service-account");
    const same = { createdBy: "ann@x.test", updatedBy: "ann@x.test", createdAt: "a", updatedAt: "a" };
    expect(authorLine(same)).toBe("by ann");
    expect(authorLine({ ...same, updatedBy: "bob@x.test", updatedAt: "b" })).toBe("by ann · ✎ bob");
    expect(authorLine({ ...same, createdBy: null, updatedBy: "bob@x.test" })).toBe("by unknown · ✎ bob");
    expect(authorLine({ ...same, createdBy: null, updatedBy: null })).toBeNull();
    expect(authorLine(undefined)).toBeNull();
    expect(authorTitle(same)).toBe("Created by ann@x.test on a");
    expect(authorTitle({ ...same, updatedBy: "bob@x.test", updatedAt: "b" })).toBe(
      "Created by ann@x.test on a\nLast edited by bob@x.test on b",
    );
  });
});
