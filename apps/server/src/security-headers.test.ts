import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type LabelbenchApp } from "./app.js";
import { testConfig } from "./config.js";
import { type Db, migrate, openDatabase } from "./db/database.js";
import { LocalStorage } from "./storage/local-storage.js";

let dir: string;
let db: Db;
let app: LabelbenchApp;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-headers-"));
  const web = path.join(dir, "web");
  fs.mkdirSync(path.join(web, "assets"), { recursive: true });
  fs.writeFileSync(path.join(web, "index.html"), "<!doctype html><title>Labelbench</title>");
  fs.writeFileSync(path.join(web, "assets", "app.js"), "export {};");
  db = openDatabase(path.join(dir, "db.sqlite"));
  migrate(db);
  app = createApp({
    db,
    storage: new LocalStorage(path.join(dir, "files")),
    config: testConfig(dir),
    webDist: web,
  });
});
afterEach(async () => {
  await app.tiles.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const directives = (csp: string | undefined): Map<string, string[]> =>
  new Map(
    (csp ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d): d is [string, ...string[]] => d[0] !== undefined && d[0] !== "")
      .map(([name, ...values]) => [name, values]),
  );

describe("security headers", () => {
  it.each([
    ["the login page (the app shell)", "/login"],
    ["a built asset", "/assets/app.js"],
    ["the API", "/api/v1/setup"],
  ])(
    "%s cannot be framed, sniffed or leak its address, and runs only this origin's scripts",
    async (_what, url) => {
      const res = await request(app).get(url);
      expect(res.status).toBe(200);
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("same-origin");
      const csp = directives(res.headers["content-security-policy"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("script-src")).toEqual(["'self'"]);
      expect(csp.get("style-src")).toEqual(["'self'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      // Decoded pictures and thumbnails the editor makes are blob: and data: URLs.
      expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
      // A plain-HTTP install on a LAN address must keep loading its own files.
      expect(csp.has("upgrade-insecure-requests")).toBe(false);
    },
  );
});
