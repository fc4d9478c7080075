import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { newBacklog, type StageMessage, stageReceiver, stageSender } from "./stage-channel.js";
import { createStage, type StagedImage, type StageWriter } from "./stage-repo.js";

// The channel between the import worker and the main thread, both ends in one thread: what the
// worker stages must land in the file exactly as if it had written the file itself.
const dirs: string[] = [];
const stageFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-stage-channel-"));
  dirs.push(dir);
  return path.join(dir, "stage.sqlite");
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const contentOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return {
      rows: db.prepare("SELECT * FROM rows ORDER BY image_seq, position").raw(true).all(),
      images: db.prepare("SELECT * FROM images ORDER BY seq").raw(true).all(),
      labels: db.prepare("SELECT * FROM labels ORDER BY ref").raw(true).all(),
    };
  } finally {
    db.close();
  }
};

const image = (seq: number, rows: number): StagedImage => ({
  seq,
  imageId: seq % 2 === 0 ? seq * 10 : null,
  image:
    seq % 2 === 0
      ? null
      : {
          sha256: String(seq).padStart(64, "0"),
          fileName: `n-${seq}.png`,
          width: 10,
          height: 10,
          channels: 3,
          format: "png",
          byteSize: 5,
          tileState: "none",
        },
  rows,
  tags: seq % 3 === 0 ? [1, -1] : null,
});

/** What an import writer stages: rows over several images, two created labels, then the images. */
const stageSome = (s: StageWriter, rows: number, images: number) => {
  for (let i = 0; i < rows; i++)
    s.row(1 + (i % images), Math.floor(i / images), `u${i}\ttab`, i % 4 === 0 ? -1 : 3, `{"n":${i}}`);
  s.label(-1, "truck");
  s.label(-2, "bus");
  for (let seq = 1; seq <= images; seq++) s.image(image(seq, Math.ceil((rows - seq + 1) / images)));
};

describe("staging through the main thread", () => {
  it("writes what the worker staged, every row and image, as the worker writing the file itself would", () => {
    const direct = stageFile();
    const d = createStage(direct);
    stageSome(d, 9_007, 1_501);
    d.close(true);

    const file = stageFile();
    const backlog = newBacklog();
    const receiver = stageReceiver(file, backlog);
    const sent: StageMessage["type"][] = [];
    const sender = stageSender((m) => {
      sent.push(m.type);
      receiver.apply(m);
    }, backlog)(file);
    stageSome(sender, 9_007, 1_501);
    sender.close(true);

    expect(receiver.failure).toBeNull();
    expect(contentOf(file)).toEqual(contentOf(direct));
    // In batches, not a message per row; every row written is counted off the backlog.
    expect(sent.filter((t) => t === "stageRows").length).toBe(5);
    expect(sent.filter((t) => t === "stageImages").length).toBe(2);
    expect(sent.at(-1)).toBe("stageClose");
    expect(Atomics.load(backlog, 0)).toBe(0);
  });

  it("drops every write when the worker closes without keeping (an error or a dry run's end)", () => {
    const file = stageFile();
    const backlog = newBacklog();
    const receiver = stageReceiver(file, backlog);
    const sender = stageSender(receiver.apply, backlog)(file);
    stageSome(sender, 4_500, 10);
    sender.close(false);
    expect(contentOf(file)).toEqual({ rows: [], images: [], labels: [] });
  });

  it("a write that fails drops the file, keeps the first failure, and still counts later batches off", () => {
    const file = stageFile();
    const backlog = newBacklog();
    const receiver = stageReceiver(file, backlog);
    const sender = stageSender(receiver.apply, backlog)(file);
    // The same (image, position) twice: the staging table's key refuses the second batch.
    for (let batch = 0; batch < 3; batch++)
      for (let i = 0; i < 2_000; i++) sender.row(1, i, `u${i}`, 1, "{}");
    sender.close(true);
    expect(String(receiver.failure)).toMatch(/UNIQUE|PRIMARY KEY/);
    expect(Atomics.load(backlog, 0)).toBe(0);
    expect(contentOf(file).rows).toEqual([]);
  });

  it("abandon drops a file the worker never closed (a worker that died mid-import)", () => {
    const file = stageFile();
    const backlog = newBacklog();
    const receiver = stageReceiver(file, backlog);
    const sender = stageSender(receiver.apply, backlog)(file);
    stageSome(sender, 2_000, 4);
    receiver.abandon();
    expect(receiver.failure).toBeNull();
    expect(contentOf(file).rows).toEqual([]);
  });
});
