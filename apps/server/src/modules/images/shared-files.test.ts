import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { UploadReply } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { originalKey, thumbnailKey } from "../../storage/keys.js";
import { createProject, upload, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { type Gate, gate } from "../../test-support/gate.js";
import { jpeg } from "../../test-support/images.js";
import { makeZip } from "../../test-support/zips.js";
import type { StoredFilesHooks } from "./stored-files.js";

let t: TestApp;
let server: http.Server;
let base: string;

/** The hooks the tests arm: one gate per step, used once. */
const armed: { afterClaim?: Gate; beforeUnlink?: Gate } = {};
const hooks: StoredFilesHooks = {
  afterClaim: async () => {
    const g = armed.afterClaim;
    delete armed.afterClaim;
    if (g) await g.pass();
  },
  beforeUnlink: async () => {
    const g = armed.beforeUnlink;
    delete armed.beforeUnlink;
    if (g) await g.pass();
  },
};

beforeEach(async () => {
  t = await makeTestApp({}, { storedFilesHooks: hooks });
  server = http.createServer(t.app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls (the server works on its own schedule) and fails with `what` after 10 s. */
const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
};

/**
 * An upload whose body is written in two halves: the file part, then (after `between` resolves)
 * the closing boundary. The server stages and checks the file meanwhile and commits its row only
 * once the body is complete, which is the window a concurrent deletion used to fall into.
 */
const uploadInTwoHalves = (projectId: number, name: string, data: Buffer, between: () => Promise<void>) =>
  new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const boundary = "----labelbench-race";
    const req = http.request(`${base}/projects/${projectId}/images`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on("error", reject);
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    req.write(data);
    // The next part's header ends the file for the parser; the body stays open inside a text field.
    req.write(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nwait`);
    between().then(() => req.end(`\r\n--${boundary}--\r\n`), reject);
  });

describe("content-addressed files shared by projects", () => {
  it("an upload of the same bytes racing the deletion of the only other copy keeps its file (10 runs)", async () => {
    for (let run = 0; run < 10; run++) {
      const a = await createProject(t.app, `A${run}`);
      const b = await createProject(t.app, `B${run}`);
      const data = await jpeg({ width: 300, height: 200, seed: 1000 + run });
      const imageA = await uploadImage(t.app, a.id, { name: "a.jpg", data });
      let deleted = 0;
      const up = await uploadInTwoHalves(b.id, "b.jpg", data, async () => {
        // B's file is staged and checked while A's image (the only other holder) is deleted.
        await sleep(150);
        deleted = (await fetch(`${base}/images/${imageA.id}`, { method: "DELETE" })).status;
      });
      expect(deleted).toBe(204);
      expect(up.status).toBe(200);
      const [result] = UploadReply.parse(up.body).results;
      if (result?.status !== "created") throw new Error(`expected created, got ${JSON.stringify(result)}`);
      const id = result.image.id;
      const file = await request(t.app).get(`/api/v1/images/${id}/file`);
      expect(file.status, `run ${run}: /file`).toBe(200);
      expect(Buffer.compare(file.body as Buffer, data)).toBe(0);
      const thumb = await request(t.app).get(`/api/v1/images/${id}/thumbnail`);
      expect(thumb.status, `run ${run}: /thumbnail`).toBe(200);
    }
  });
});

/** Whether the original and the thumbnail of `sha` are in storage. */
const onDisk = (sha: string) =>
  [originalKey(sha), thumbnailKey(sha)].map((k) => fs.existsSync(t.storage.localPath(k)));
const knownShas = async () =>
  (await t.sql.selectFrom("stored_files").select("sha256").orderBy("sha256").execute()).map((r) => r.sha256);
const claims = async () => (await t.sql.selectFrom("file_claims").select("id").execute()).length;

/** Project A holds the only copy of `data`; B is empty. */
const twoProjects = async (seed: number) => {
  const a = await createProject(t.app, "A");
  const b = await createProject(t.app, "B");
  const data = await jpeg({ width: 120, height: 80, seed });
  const imageA = await uploadImage(t.app, a.id, { name: "a.jpg", data });
  return { a, b, data, imageA };
};

const expectServed = async (imageId: number, data: Buffer) => {
  const file = await request(t.app).get(`/api/v1/images/${imageId}/file`);
  expect(file.status).toBe(200);
  expect(Buffer.compare(file.body as Buffer, data)).toBe(0);
  expect((await request(t.app).get(`/api/v1/images/${imageId}/thumbnail`)).status).toBe(200);
};

describe("the reference rule, step by step", () => {
  it("a deletion that finds a claim (upload between claiming and committing) leaves the files", async () => {
    const { b, data, imageA } = await twoProjects(1);
    const claimed = gate();
    armed.afterClaim = claimed;
    const up = upload(t.app, b.id, [{ name: "b.jpg", data }]);
    await claimed.arrived;
    expect((await request(t.app).delete(`/api/v1/images/${imageA.id}`)).status).toBe(204);
    expect(onDisk(imageA.sha256)).toEqual([true, true]);
    claimed.open();
    const res = await up;
    expect(res.body.results[0].status).toBe("created");
    await expectServed(res.body.results[0].image.id, data);
    expect(await claims()).toBe(0);
    // The last reference going deletes the files and forgets the sha.
    expect((await request(t.app).delete(`/api/v1/images/${res.body.results[0].image.id}`)).status).toBe(204);
    expect(onDisk(imageA.sha256)).toEqual([false, false]);
    expect(await knownShas()).toEqual([]);
  });

  it("an upload that meets a deletion under way waits for it, then puts the bytes again", async () => {
    const { b, data, imageA } = await twoProjects(2);
    const unlinking = gate();
    armed.beforeUnlink = unlinking;
    const del = request(t.app)
      .delete(`/api/v1/images/${imageA.id}`)
      .then((r) => r);
    await unlinking.arrived;
    let answered = false;
    const up = upload(t.app, b.id, [{ name: "b.jpg", data }]).then((r) => {
      answered = true;
      return r;
    });
    // The upload is staged and checked, then refused a claim while the deletion mark stands.
    for (let i = 0; i < 40 && fs.readdirSync(t.storage.tempDir).length === 0; i++) await sleep(5);
    await sleep(100);
    expect(answered).toBe(false);
    expect(await claims()).toBe(0);
    unlinking.open();
    expect((await del).status).toBe(204);
    const res = await up;
    expect(res.body.results[0].status).toBe("created");
    await expectServed(res.body.results[0].image.id, data);
    expect(await knownShas()).toEqual([imageA.sha256]);
  });

  it("bytes of an upload cut off before its commit are deleted once its claim goes, unless a row holds them", async () => {
    const { b, data, imageA } = await twoProjects(3);
    const other = await jpeg({ width: 90, height: 60, seed: 33 });
    const otherSha = createHash("sha256").update(other).digest("hex");
    const claimed = gate();
    armed.afterClaim = claimed;
    const boundary = "----labelbench-cut";
    const req = http.request(`${base}/projects/${b.id}/images`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    req.on("error", () => {});
    const part = (name: string, bytes: Buffer) => {
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n\r\n`);
      req.write(bytes);
      req.write("\r\n");
    };
    part("new.jpg", other);
    part("same.jpg", data);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nwait`);
    await claimed.arrived; // new.jpg is claimed and about to be put
    claimed.open();
    await until(
      async () => (await claims()) === 2 && onDisk(otherSha).every(Boolean),
      "both files claimed and stored",
    );
    req.destroy();
    await until(
      async () => (await claims()) === 0 && fs.readdirSync(t.storage.tempDir).length === 0,
      "claims released",
    );
    expect(onDisk(otherSha)).toEqual([false, false]);
    expect(onDisk(imageA.sha256)).toEqual([true, true]);
    expect(await knownShas()).toEqual([imageA.sha256]);
  });

  it("an import of the same bytes holds its claim until its rows are committed", async () => {
    const { b, imageA } = await twoProjects(4);
    const bytes = fs.readFileSync(t.storage.localPath(originalKey(imageA.sha256)));
    const zip = await makeZip([
      ["data.yaml", 'names: ["a"]\n'],
      ["images/train/same.jpg", bytes],
      ["labels/train/same.txt", "0 0.5 0.5 0.2 0.2\n"],
    ]);
    const claimed = gate();
    armed.afterClaim = claimed;
    const imported = request(t.app)
      .post(`/api/v1/projects/${b.id}/import`)
      .set("Content-Type", "application/zip")
      .send(zip)
      .then((r) => r);
    await claimed.arrived;
    expect((await request(t.app).delete(`/api/v1/images/${imageA.id}`)).status).toBe(204);
    claimed.open();
    const res = await imported;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    const list = await request(t.app).get(`/api/v1/projects/${b.id}/images`);
    const [image] = list.body.items as { id: number; sha256: string }[];
    expect(image?.sha256).toBe(imageA.sha256);
    await expectServed(image?.id ?? 0, bytes);
    expect(await claims()).toBe(0);
  });
});
