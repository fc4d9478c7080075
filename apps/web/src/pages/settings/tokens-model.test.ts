import type { ApiToken } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  curlExample,
  curlScript,
  initialTokensState,
  isExpired,
  parseExpiryDays,
  type TokenCreated,
  tokensReducer,
} from "./tokens-model";

const token = (id: number, over: Partial<ApiToken> = {}): ApiToken => ({
  id,
  name: `t${id}`,
  scope: "read",
  prefix: "lbt_abcdef",
  createdAt: "2026-01-01T00:00:00.000Z",
  expiresAt: null,
  lastUsedAt: null,
  ...over,
});
const created = (id: number): TokenCreated => ({ ...token(id), token: `lbt_secret_${id}` });

describe("tokensReducer", () => {
  it("shows a created token's secret once, and keeps it out of the list", () => {
    let s = tokensReducer(initialTokensState, { type: "loaded", tokens: [token(1)] });
    s = tokensReducer(s, { type: "created", token: created(2) });
    expect(s.revealed?.token).toBe("lbt_secret_2");
    expect(s.tokens?.map((t) => t.id)).toEqual([2, 1]);
    expect(s.tokens?.[0]).not.toHaveProperty("token");
  });

  it("forgets the secret when dismissed", () => {
    const s = tokensReducer(tokensReducer(initialTokensState, { type: "created", token: created(2) }), {
      type: "dismissSecret",
    });
    expect(s.revealed).toBeNull();
    expect(s.tokens?.map((t) => t.id)).toEqual([2]);
  });

  it("revoking the revealed token hides its secret too; revoking another keeps it", () => {
    let s = tokensReducer(initialTokensState, { type: "loaded", tokens: [token(1)] });
    s = tokensReducer(s, { type: "created", token: created(2) });
    const other = tokensReducer(s, { type: "revoked", id: 1 });
    expect(other.revealed?.id).toBe(2);
    expect(other.tokens?.map((t) => t.id)).toEqual([2]);
    const same = tokensReducer(s, { type: "revoked", id: 2 });
    expect(same.revealed).toBeNull();
    expect(same.tokens?.map((t) => t.id)).toEqual([1]);
  });

  it("a late list load keeps the revealed secret", () => {
    let s = tokensReducer(initialTokensState, { type: "created", token: created(2) });
    s = tokensReducer(s, { type: "loaded", tokens: [token(2), token(1)] });
    expect(s.revealed?.id).toBe(2);
    expect(s.tokens?.length).toBe(2);
  });
});

describe("parseExpiryDays", () => {
  it("reads empty as never", () => {
    expect(parseExpiryDays("  ")).toEqual({ ok: true, days: null });
  });
  it("reads whole days in range", () => {
    expect(parseExpiryDays("30")).toEqual({ ok: true, days: 30 });
    expect(parseExpiryDays("3650")).toEqual({ ok: true, days: 3650 });
  });
  it.each(["0", "3651", "1.5", "-3", "ten", "1e3"])("refuses %j with a reason", (raw) => {
    const r = parseExpiryDays(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/days/);
  });
});

describe("isExpired", () => {
  const now = Date.parse("2026-06-01T00:00:00.000Z");
  it("never for a token without expiry", () => {
    expect(isExpired({ expiresAt: null }, now)).toBe(false);
  });
  it("from the expiry instant on", () => {
    expect(isExpired({ expiresAt: "2026-06-01T00:00:00.000Z" }, now)).toBe(true);
    expect(isExpired({ expiresAt: "2026-06-01T00:00:01.000Z" }, now)).toBe(false);
  });
});

describe("curlExample", () => {
  it("is the documented command for this server and project", () => {
    expect(curlExample("http://host:3000", 1)).toBe(
      'curl --fail -H "Authorization: Bearer $TOKEN" -o dataset.zip "http://host:3000/api/v1/projects/1/export?format=coco"',
    );
  });
  it("drops a trailing slash and shows a placeholder without a project", () => {
    expect(curlExample("https://lb.example/", null)).toContain(
      '"https://lb.example/api/v1/projects/<id>/export',
    );
  });
  it("the runnable script sets TOKEN first", () => {
    expect(curlScript("http://h", 2, "lbt_x").split("\n")).toEqual([
      "TOKEN=lbt_x",
      'curl --fail -H "Authorization: Bearer $TOKEN" -o dataset.zip "http://h/api/v1/projects/2/export?format=coco"',
    ]);
  });
});
