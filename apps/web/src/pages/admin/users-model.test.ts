import { MIN_PASSWORD_LENGTH, type User } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { generatePassword, replaceUser, sortUsers, summarizeUsers } from "./users-model";

const user = (id: number, over: Partial<User>): User => ({
  id,
  email: `u${id}@example.com`,
  name: `User ${id}`,
  role: "annotator",
  active: true,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("generatePassword", () => {
  it("makes 16 characters, above the server's minimum, without look-alikes", () => {
    const p = generatePassword();
    expect(p).toHaveLength(16);
    expect(p.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]+$/);
  });

  it("differs between calls", () => {
    expect(new Set(Array.from({ length: 20 }, () => generatePassword())).size).toBe(20);
  });

  it("skips bytes that would bias the alphabet (rejection sampling)", () => {
    // 255 is above the largest multiple of the alphabet size below 256: it must be skipped.
    const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i % 2 === 0 ? 255 : 0));
    expect(generatePassword(bytes, 4)).toBe("aaaa");
  });
});

describe("sortUsers", () => {
  it("puts active before deactivated, then admins, managers, reviewers, annotators, then by name", () => {
    const sorted = sortUsers([
      user(1, { name: "zed", role: "annotator" }),
      user(2, { name: "Amy", role: "annotator", active: false }),
      user(3, { name: "bob", role: "manager" }),
      user(4, { name: "Cat", role: "admin" }),
      user(5, { name: "al", role: "annotator" }),
      user(6, { name: "zoe", role: "reviewer" }),
    ]);
    expect(sorted.map((u) => u.id)).toEqual([4, 3, 6, 5, 1, 2]);
  });
});

describe("replaceUser", () => {
  it("swaps in the server's reply by id", () => {
    const list = [user(1, {}), user(2, {})];
    expect(replaceUser(list, user(2, { role: "manager" })).map((u) => u.role)).toEqual([
      "annotator",
      "manager",
    ]);
  });
});

describe("summarizeUsers", () => {
  it("counts active users by role and mentions deactivated ones", () => {
    expect(
      summarizeUsers([
        user(1, { role: "admin" }),
        user(2, { role: "annotator" }),
        user(3, { role: "annotator" }),
        user(4, { role: "manager", active: false }),
      ]),
    ).toBe("1 admin, 0 managers, 2 annotators · 1 deactivated");
  });

  it("counts reviewers when there are some", () => {
    expect(summarizeUsers([user(1, { role: "admin" }), user(2, { role: "reviewer" })])).toBe(
      "1 admin, 0 managers, 1 reviewer, 0 annotators",
    );
  });
});
