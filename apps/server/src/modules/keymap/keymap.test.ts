import { Keymap } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { insertUserWithToken, makeTestApp, type TestApp } from "../../test-support/app.js";

let t: TestApp;
let ann: { userId: number; token: string };
let other: { userId: number; token: string };
beforeEach(async () => {
  t = await makeTestApp();
  ann = await insertUserWithToken(t.sql, { email: "ann@example.com", name: "Ann", role: "annotator" });
  other = await insertUserWithToken(t.sql, { email: "bob@example.com", name: "Bob", role: "reviewer" });
});
afterEach(() => t.cleanup());

const URL = "/api/v1/me/keymap";
const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
const getAs = async (who: { token: string }) => {
  const res = await request(t.app).get(URL).set(as(who));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Keymap.parse(res.body);
};
const putAs = (who: { token: string }, body: object) => request(t.app).put(URL).set(as(who)).send(body);

describe("a user's own keys", () => {
  it("are the defaults ({}) until saved, then what was saved, and only the caller's", async () => {
    expect(await getAs(ann)).toEqual({ bindings: {}, updatedAt: null });
    const bindings = { "tool.box": ["KeyK"], "nav.next": ["KeyJ", "ArrowRight"], "edit.delete": [] };
    const saved = await putAs(ann, { bindings });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.bindings).toEqual(bindings);
    expect(typeof saved.body.updatedAt).toBe("string");
    expect((await getAs(ann)).bindings).toEqual(bindings);
    // Another user's keymap is untouched, and theirs leaves Ann's alone.
    expect(await getAs(other)).toEqual({ bindings: {}, updatedAt: null });
    await putAs(other, { bindings: { "tool.box": ["KeyX"] } }).expect(200);
    expect((await getAs(ann)).bindings).toEqual(bindings);
    expect((await getAs(other)).bindings).toEqual({ "tool.box": ["KeyX"] });
  });

  it("replaces the whole keymap on each save; {} goes back to the defaults", async () => {
    await putAs(ann, { bindings: { "tool.box": ["KeyK"] } }).expect(200);
    await putAs(ann, { bindings: { "tool.polygon": ["KeyO"] } }).expect(200);
    expect((await getAs(ann)).bindings).toEqual({ "tool.polygon": ["KeyO"] });
    await putAs(ann, { bindings: {} }).expect(200);
    expect(await getAs(ann)).toEqual({ bindings: {}, updatedAt: null });
    const rows = await t.sql.selectFrom("user_keymaps").selectAll().execute();
    expect(rows).toEqual([]);
  });

  it.each([
    [
      "an unknown command",
      { "tool.lasso": ["KeyL"] },
      "body.bindings.tool.lasso",
      `"tool.lasso" is not a command that has keys`,
    ],
    [
      "a key name instead of a code",
      { "tool.box": ["K"] },
      "body.bindings.tool.box.0",
      `"K" is not a key combination`,
    ],
    [
      "modifiers out of order",
      { "edit.undo": ["Shift+Mod+KeyZ"] },
      "body.bindings.edit.undo.0",
      `"Shift+Mod+KeyZ" is not a key combination`,
    ],
    [
      "a modifier alone",
      { "edit.undo": ["Mod+ShiftLeft"] },
      "body.bindings.edit.undo.0",
      `"Mod+ShiftLeft" is not a key combination`,
    ],
    [
      "one key on two commands active at once",
      { "tool.box": ["KeyK"], "tool.polygon": ["KeyK"] },
      "body.bindings.tool.polygon.0",
      "KeyK is already the key of tool.box; one key runs one command",
    ],
    [
      "one key twice on a command",
      { "tool.box": ["KeyK", "KeyK"] },
      "body.bindings.tool.box.1",
      "KeyK is listed twice for tool.box",
    ],
  ])("refuses %s with a 400 naming where, and keeps what was saved", async (_, bindings, path, message) => {
    await putAs(ann, { bindings: { "tool.box": ["KeyQ"] } }).expect(200);
    const err = expectError(await putAs(ann, { bindings }), 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual([path]);
    expect(JSON.stringify(err.details)).toContain(message.replaceAll('"', '\\"'));
    expect((await getAs(ann)).bindings).toEqual({ "tool.box": ["KeyQ"] });
  });

  it("lets commands of different modes share a key (a review key and an annotating key)", async () => {
    const bindings = { "review.accept": ["KeyK"], "image.skip": ["KeyK"] };
    expect((await putAs(ann, { bindings }).expect(200)).body.bindings).toEqual(bindings);
    expectError(
      await putAs(ann, { bindings: { "review.accept": ["KeyK"], "tool.box": ["KeyK"] } }),
      400,
      "VALIDATION_ERROR",
    );
  });

  it("refuses a body that is not a keymap, and more keys than a command may have", async () => {
    expect(issuePaths(expectError(await putAs(ann, {}), 400, "VALIDATION_ERROR").details)).toEqual([
      "body.bindings",
    ]);
    const many = { "tool.box": ["KeyK", "KeyJ", "KeyL", "KeyO", "KeyU"] };
    expect(
      issuePaths(expectError(await putAs(ann, { bindings: many }), 400, "VALIDATION_ERROR").details),
    ).toEqual(["body.bindings.tool.box"]);
  });

  it("goes with its user", async () => {
    await putAs(ann, { bindings: { "tool.box": ["KeyK"] } }).expect(200);
    await t.sql.deleteFrom("api_tokens").where("user_id", "=", ann.userId).execute();
    await t.sql.deleteFrom("users").where("id", "=", ann.userId).execute();
    expect(await t.sql.selectFrom("user_keymaps").selectAll().execute()).toEqual([]);
  });
});
