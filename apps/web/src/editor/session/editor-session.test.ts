import { createEditor, type Editor } from "@labelbench/editor";
import type { AnnotationSet, Image, Label } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { FakeClock, FakeSaveServer, MemoryStorage } from "../save/save-fakes";
import type { Snapshot } from "../save/save-queue";
import { ownedTransport } from "../save/save-transport";
import {
  createAccountQueue,
  createEditorSession,
  type EditorSession,
  type Neighbours,
  SET_MAX_AGE_MS,
} from "./editor-session";
import { createImageLoader } from "./image-loader";
import { createShapeAuthors } from "./shape-authors";

const T0 = "2026-01-01T00:00:00.000Z";
const PROJECT = 7;
const LABELS: Label[] = [1, 2].map((id) => ({
  id,
  projectId: PROJECT,
  name: `label ${id}`,
  color: "#ff0000",
  hotkey: null,
  position: id - 1,
  shapeTypes: ["box", "polygon"],
  scope: "both",
  attributes: [],
  annotationCount: 0,
}));

type Shape = Snapshot["annotations"][number];
const box = (id: string, labelId = 1, x = 10): Shape => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 10, width: 20, height: 20 },
});

/** A server of three images (ids 1, 2, 3 in library order) answering like the real one. */
class FakeServer extends FakeSaveServer {
  images = new Map<number, Image>();
  /** How many times each image's set was read. */
  setReads = new Map<number, number>();
  down = false;
  /** Saves fail as if offline, while reads still answer. */
  savesDown = false;
  override account = "ann@example.org";
  override stampedAt = T0;

  constructor() {
    super();
    for (const id of [1, 2, 3]) {
      this.images.set(id, {
        id,
        projectId: PROJECT,
        fileName: `img${id}.jpg`,
        sha256: "0".repeat(64),
        width: 640,
        height: 480,
        format: "jpeg",
        byteSize: 1000,
        status: "new",
        annotationCount: 0,
        tiles: { state: "none", progress: 0, tileSize: null, levels: null },
        createdAt: T0,
        updatedAt: T0,
      });
      this.set(id, 0);
    }
  }

  protected override offline() {
    return this.down || this.savesDown || super.offline();
  }

  private unreachable() {
    return new ApiError(0, "NETWORK", "cannot reach the server");
  }

  fetchImage = async (id: number): Promise<Image> => {
    if (this.down) throw this.unreachable();
    const img = this.images.get(id);
    if (!img) throw new ApiError(404, "NOT_FOUND", `image ${id} not found`);
    return img;
  };
  fetchSet = async (id: number): Promise<AnnotationSet> => {
    if (this.down) throw this.unreachable();
    this.setReads.set(id, (this.setReads.get(id) ?? 0) + 1);
    const set = this.sets.get(id);
    if (!set) throw new ApiError(404, "NOT_FOUND", `image ${id} not found`);
    return set;
  };

  neighbourCalls: { imageId: number; search: string }[] = [];
  neighbours = async (imageId: number, search: string): Promise<Neighbours> => {
    this.neighbourCalls.push({ imageId, search });
    if (this.down) throw this.unreachable();
    const ids = [...this.images.keys()];
    const i = ids.indexOf(imageId);
    return {
      previousId: ids[i - 1] ?? null,
      nextId: ids[i + 1] ?? null,
      nextNewId: ids.slice(i + 1).find((id) => this.images.get(id)?.status === "new") ?? null,
      position: i + 1,
      total: ids.length,
    };
  };
}

interface Harness {
  server: FakeServer;
  clock: FakeClock;
  editor: Editor;
  session: EditorSession;
  storage: MemoryStorage;
  loader: ReturnType<typeof createImageLoader>;
  authors: ReturnType<typeof createShapeAuthors>;
  notices: { kind: string; text: string }[];
  goOnline(): void;
  /** Runs what waits for the page to be idle (with `manualIdle`; else it runs at the clock's next turn). */
  runIdle(): void;
  stop(): void;
}

/** A session over a fake server, wired as services.ts wires the browser's. */
const harness = (
  opts: {
    server?: FakeServer;
    storage?: MemoryStorage;
    owner?: number;
    signedIn?: () => number | null;
    manualIdle?: boolean;
  } = {},
): Harness => {
  const idles: (() => void)[] = [];
  const server = opts.server ?? new FakeServer();
  const clock = new FakeClock(1_000_000);
  const storage = opts.storage ?? new MemoryStorage();
  const owner = opts.owner ?? 1;
  const loader = createImageLoader({
    fetchImage: server.fetchImage,
    fetchSet: server.fetchSet,
    loadElement: async () => null,
    now: clock.now,
  });
  const authors = createShapeAuthors();
  const online = new EventTarget();
  const editor = createEditor();
  const notices: { kind: string; text: string }[] = [];
  const queue = Promise.resolve(
    createAccountQueue({
      transport: ownedTransport(owner, server.transport, opts.signedIn ?? (() => owner)),
      storage,
      clock,
      loader,
      authors,
    }),
  );
  const session = createEditorSession({
    editor,
    queue,
    loader,
    authors,
    api: {
      labels: async () => LABELS,
      neighbours: server.neighbours,
      setImageStatus: async (imageId, status) => {
        const img = { ...server.images.get(imageId)!, status };
        server.images.set(imageId, img);
        return img;
      },
    },
    clock,
    onOnline: (l) => {
      online.addEventListener("online", l);
      return () => online.removeEventListener("online", l);
    },
    notify: (kind, text) => notices.push({ kind, text }),
    idle: opts.manualIdle ? (fn) => idles.push(fn) : undefined,
  });
  const stop = session.start();
  return {
    server,
    clock,
    editor,
    session,
    storage,
    loader,
    authors,
    notices,
    goOnline: () => online.dispatchEvent(new Event("online")),
    runIdle: () => {
      for (const fn of idles.splice(0)) fn();
    },
    stop,
  };
};

const shapesOf = (editor: Editor) =>
  [...editor.getState().doc.shapes.values()].map((s) => `${s.id}:${s.labelId}`);

/** Opens `imageId` and waits until it is shown. */
const open = async (h: Harness, imageId: number, search = "") => {
  h.session.show(imageId, PROJECT, search);
  await h.clock.advance(0);
  expect(h.session.getState().loading).toBe(false);
};

describe("editor session: open, edit, autosave", () => {
  it("opens the image into the editor, saves an edit as a patch after the debounce, and the ack patches the caches", async () => {
    const server = new FakeServer();
    server.store(1, [box("a"), box("b")], "bob@example.org");
    const h = harness({ server });
    await open(h, 1);
    expect(h.session.getState().bundle?.image.id).toBe(1);
    expect(shapesOf(h.editor)).toEqual(["a:1", "b:1"]);
    expect(h.session.saveState()).toEqual({
      imageId: 1,
      status: { kind: "saved", revision: 1 },
      totalChanges: 0,
    });
    const reads = server.setReads.get(1);

    h.editor.relabel(["a"], 2);
    expect(h.session.saveState().status).toEqual({ kind: "pending", changes: 1 });
    await h.clock.advance(799);
    expect(server.patches).toHaveLength(0);
    await h.clock.advance(1);
    expect(
      server.patches.map((p) => [p.body.baseRevision, p.body.upsert.map((u) => u.id), p.body.delete]),
    ).toEqual([[1, ["a"], []]]);
    expect(h.session.getState().saves.images.get(1)?.status).toEqual({ kind: "saved", revision: 2 });
    // The cached set is the server's new revision, built from the patch's reply without reading it again.
    const cached = h.loader.cached(1)?.set;
    expect(cached?.revision).toBe(2);
    expect(cached?.annotations.map((a) => `${a.id}:${a.labelId}`)).toEqual(["a:2", "b:1"]);
    expect(server.setReads.get(1)).toBe(reads);
    // Who edited what comes from the reply too.
    expect(h.authors.of(1).get("a")?.updatedBy).toBe("ann@example.org");
    expect(h.authors.of(1).get("b")?.updatedBy).toBe("bob@example.org");
    expect(h.storage.entries.size).toBe(0);
  });

  it("does not save what the session itself puts into the editor (a load, a merge)", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const h = harness({ server });
    await open(h, 1);
    await open(h, 2);
    await h.clock.advance(5000);
    expect(server.patches).toHaveLength(0);
    expect(server.puts).toHaveLength(0);
    expect(h.session.getState().saves.totalChanges).toBe(0);
  });

  it("records edits for the image shown only once it is in place, and not after stop", async () => {
    const h = harness();
    await open(h, 1);
    h.editor.pasteShapes([box("p")]);
    expect(h.session.saveState().totalChanges).toBe(1);
    h.stop();
    h.editor.pasteShapes([box("q")]);
    expect(h.session.queue()).toBeNull();
    await h.clock.advance(1000);
    // The edit before stop still saved (the queue outlives the page); the one after is not the session's.
    expect(h.server.patches.map((p) => p.body.upsert.length)).toEqual([1]);
    expect(h.server.sets.get(1)?.annotations).toHaveLength(1);
  });
});

describe("editor session: conflicts", () => {
  it("merges edits of different shapes on its own and shows their changes at once", async () => {
    const server = new FakeServer();
    server.store(1, [box("a"), box("b")]);
    const h = harness({ server });
    await open(h, 1);
    server.store(1, [box("a"), box("b"), box("theirs")], "bob@example.org");
    h.editor.relabel(["a"], 2);
    await h.clock.advance(800);
    expect(shapesOf(h.editor)).toEqual(["a:2", "b:1", "theirs:1"]);
    expect(h.notices.at(-1)?.text).toBe(
      "Someone else saved this image; their changes (1 added) are merged with yours.",
    );
    // Showing the merge is not an edit: the merged set goes out at once, not after another debounce.
    expect(server.sets.get(1)?.revision).toBe(3);
    expect(h.session.saveState().status).toEqual({ kind: "saved", revision: 3 });
    await h.clock.advance(1000);
    expect(server.sets.get(1)?.annotations.map((a) => `${a.id}:${a.labelId}`)).toEqual([
      "a:2",
      "b:1",
      "theirs:1",
    ]);
    // Merging is not an edit: undo takes back my relabel only.
    h.editor.undo();
    expect(shapesOf(h.editor)).toEqual(["a:1", "b:1", "theirs:1"]);
  });

  it("asks when both sides changed a shape; taking theirs shows and saves it, and undo brings mine back", async () => {
    const server = new FakeServer();
    server.store(1, [box("a"), box("b")]);
    const h = harness({ server });
    await open(h, 1);
    server.store(1, [box("a", 1, 99), box("b")], "bob@example.org");
    h.editor.relabel(["a"], 2);
    await h.clock.advance(800);
    const status = h.session.getState().saves.images.get(1)?.status;
    expect(status?.kind).toBe("conflict");
    if (status?.kind !== "conflict") return;
    expect(status.merge.conflicts.map((c) => c.id)).toEqual(["a"]);
    // The server's side of a conflict names its authors.
    expect(h.authors.of(1).get("a")?.updatedBy).toBe("bob@example.org");
    // Autosave stops while the user chooses.
    await h.clock.advance(10_000);
    expect(server.sets.get(1)?.revision).toBe(2);

    h.session.setViewBoth(true);
    expect(h.session.getState().viewBoth).toBe(true);
    h.session.resolveConflict(new Map([["a", "theirs"]]));
    expect(h.session.getState().viewBoth).toBe(false);
    expect(h.editor.getState().doc.shapes.get("a")?.geometry).toEqual(box("a", 1, 99).geometry);
    expect(h.notices.at(-1)?.text).toBe("Took their version of 1 shape. Undo brings yours back.");
    await h.clock.advance(1000);
    expect(h.session.saveState().status).toEqual({ kind: "saved", revision: 2 });

    h.editor.undo();
    expect(shapesOf(h.editor)).toEqual(["a:2", "b:1"]);
    await h.clock.advance(1000);
    expect(server.sets.get(1)?.annotations.map((a) => `${a.id}:${a.labelId}`)).toEqual(["a:2", "b:1"]);
  });

  it("keeping mine saves mine on their revision", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const h = harness({ server });
    await open(h, 1);
    server.store(1, [box("a", 1, 99)], "bob@example.org");
    h.editor.relabel(["a"], 2);
    await h.clock.advance(800);
    h.session.resolveConflict(new Map());
    await h.clock.advance(1000);
    const a = server.sets.get(1)?.annotations[0];
    expect([a?.labelId, a?.geometry]).toEqual([2, box("a").geometry]);
    expect(h.notices.some((n) => n.text.startsWith("Took their version"))).toBe(false);
  });
});

describe("editor session: local copies", () => {
  /** An account's copy of an edit of image 1 that never reached the server (a crash, a reload). */
  const leftCopy = async (server: FakeServer, owner: number) => {
    const storage = new MemoryStorage();
    server.down = false;
    const h = harness({ server, storage, owner });
    await open(h, 1);
    server.down = true;
    h.editor.relabel(["a"], 2);
    await h.clock.advance(800);
    h.stop();
    server.down = false;
    return storage;
  };

  it("restores a copy the same account left on this device and saves it", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const storage = await leftCopy(server, 1);
    expect(storage.entries.get(1)?.changes).toBe(1);

    const h = harness({ server, storage, owner: 1 });
    await open(h, 1);
    expect(shapesOf(h.editor)).toEqual(["a:2"]);
    expect(h.notices).toContainEqual({
      kind: "info",
      text: "Restored 1 unsaved change kept on this device; saving them now.",
    });
    await h.clock.advance(0);
    expect(server.sets.get(1)?.annotations.map((a) => a.labelId)).toEqual([2]);
    expect(storage.entries.size).toBe(0);
  });

  it("another account neither sees nor sends the copy; it stays for its author", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const annsCopy = await leftCopy(server, 1);

    const bob = harness({ server, storage: new MemoryStorage(), owner: 2 });
    await open(bob, 1);
    expect(shapesOf(bob.editor)).toEqual(["a:1"]);
    expect(bob.notices).toEqual([]);
    await bob.clock.advance(10_000);
    expect(server.sets.get(1)?.revision).toBe(1);
    expect(annsCopy.entries.get(1)?.changes).toBe(1);
  });

  it("a copy opened while another account is signed in waits for its author instead of saving under their name", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const storage = await leftCopy(server, 1);
    let signedIn: number | null = 2;
    const h = harness({ server, storage, owner: 1, signedIn: () => signedIn });
    await open(h, 1);
    await h.clock.advance(0);
    const status = h.session.saveState().status;
    expect(status?.kind).toBe("retrying");
    expect(status?.kind === "retrying" && status.message).toBe(
      "signed in as another account; these changes wait for the account that made them",
    );
    expect(server.sets.get(1)?.revision).toBe(1);
    signedIn = 1;
    await h.clock.advance(30_000);
    expect(server.sets.get(1)?.annotations.map((a) => a.labelId)).toEqual([2]);
  });

  it("saves copies of other images left by an earlier session in the background", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const storage = await leftCopy(server, 1);
    const h = harness({ server, storage, owner: 1 });
    await open(h, 2);
    await h.clock.advance(0);
    expect(server.sets.get(1)?.annotations.map((a) => a.labelId)).toEqual([2]);
  });
});

describe("editor session: reconnecting", () => {
  it("an image that cannot be reached loads again when the connection is back, or after a growing delay", async () => {
    const server = new FakeServer();
    server.down = true;
    const h = harness({ server });
    h.session.show(1, PROJECT, "");
    await h.clock.advance(0);
    expect(h.session.getState()).toMatchObject({
      loading: false,
      error: "cannot reach the server. Trying again when the connection is back…",
    });
    // Still down at the first retry (2 s): the next waits 4 s.
    await h.clock.advance(2000);
    expect(h.session.getState().error).toMatch(/Trying again/);
    server.down = false;
    await h.clock.advance(3999);
    expect(h.session.getState().bundle).toBeNull();
    await h.clock.advance(1);
    expect(h.session.getState()).toMatchObject({ loading: false, error: null });
    expect(shapesOf(h.editor)).toEqual([]);
    expect(h.session.getState().bundle?.image.id).toBe(1);
  });

  it("the browser's online event retries at once, for the image and its neighbours", async () => {
    const server = new FakeServer();
    server.down = true;
    const h = harness({ server });
    h.session.show(2, PROJECT, "");
    await h.clock.advance(0);
    expect(h.session.getState().nav).toBeNull();
    server.down = false;
    h.goOnline();
    await h.clock.advance(0);
    expect(h.session.getState()).toMatchObject({ error: null, nav: { previousId: 1, nextId: 3 } });
    expect(h.session.getState().bundle?.image.id).toBe(2);
  });

  it("an image that does not exist is missing, not retried", async () => {
    const h = harness();
    h.session.show(99, PROJECT, "");
    await h.clock.advance(0);
    expect(h.session.getState()).toMatchObject({ missing: true, loading: false, error: null });
    h.session.show(Number("x"), PROJECT, "");
    expect(h.session.getState().missing).toBe(true);
  });

  it("edits made offline are saved once the server answers again", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const h = harness({ server });
    await open(h, 1);
    server.down = true;
    h.editor.relabel(["a"], 2);
    await h.clock.advance(800);
    expect(h.session.saveState().status?.kind).toBe("offline");
    expect(h.storage.entries.get(1)?.changes).toBe(1);
    server.down = false;
    h.session.flushAll();
    await h.clock.advance(0);
    expect(h.session.saveState().status).toEqual({ kind: "saved", revision: 2 });
    expect(h.storage.entries.size).toBe(0);
  });
});

describe("editor session: neighbours", () => {
  it("finds the neighbours and preloads them, with their own neighbours", async () => {
    const server = new FakeServer();
    const h = harness({ server });
    await open(h, 2, "?status=new");
    expect(h.session.getState().nav).toMatchObject({ previousId: 1, nextId: 3, nextNewId: 3, position: 2 });
    // The neighbours' images and sets load in the background, so moving on is instant.
    expect(h.loader.cached(1)?.image.id).toBe(1);
    expect(h.loader.cached(3)?.image.id).toBe(3);
    expect(server.neighbourCalls).toEqual([
      { imageId: 2, search: "?status=new" },
      { imageId: 3, search: "?status=new" },
      { imageId: 1, search: "?status=new" },
    ]);
    // Moving on shows the cached neighbours at once, before the server answers again.
    h.session.show(3, PROJECT, "?status=new");
    expect(h.session.getState().nav).toMatchObject({ previousId: 2, nextId: null });
  });

  it("preloads the neighbours only once the image is in the editor and the page idle", async () => {
    const server = new FakeServer();
    const h = harness({ server, manualIdle: true });
    await open(h, 2, "");
    expect(h.session.getState().nav).toMatchObject({ previousId: 1, nextId: 3 });
    // Not beside this image's own reads: they would be served and parsed while it opens.
    expect(h.loader.cached(3)).toBeNull();
    expect(server.setReads.get(3)).toBeUndefined();
    h.runIdle();
    await h.clock.advance(0);
    expect(h.loader.cached(1)?.image.id).toBe(1);
    expect(h.loader.cached(3)?.image.id).toBe(3);
  });

  it("a new library scope asks again without opening the image again", async () => {
    const server = new FakeServer();
    const h = harness({ server });
    await open(h, 2, "");
    const reads = server.setReads.get(2);
    server.neighbourCalls = [];
    h.session.show(2, PROJECT, "?sort=name");
    await h.clock.advance(0);
    expect(server.neighbourCalls[0]).toEqual({ imageId: 2, search: "?sort=name" });
    expect(server.setReads.get(2)).toBe(reads);
  });

  it("marking done moves to the next image and refreshes the shown image's record", async () => {
    const h = harness();
    await open(h, 2);
    expect(h.session.setStatus("done")).toBe(3);
    await h.clock.advance(0);
    expect(h.session.getState().bundle?.image.status).toBe("done");
    await open(h, 3);
    expect(h.session.setStatus("skipped")).toBeNull();
    expect(h.notices.at(-1)?.text).toBe("Skipped. This is the last image.");
  });
});

describe("editor session: copy from the previous image", () => {
  it("copies the previous image's unsaved shapes when it has some", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const h = harness({ server });
    await open(h, 1);
    server.savesDown = true;
    h.editor.pasteShapes([box("new", 2)]);
    await open(h, 2);
    await h.session.copyFromPrevious();
    expect([...h.editor.getState().doc.shapes.values()].map((s) => s.labelId)).toEqual([1, 2]);
    expect(h.notices.at(-1)?.text).toBe("Copied 2 shapes from the previous image.");
  });

  it("otherwise reads the previous image's saved set afresh", async () => {
    const server = new FakeServer();
    server.store(1, [box("a")]);
    const h = harness({ server });
    await open(h, 2);
    // Saved since it was preloaded (another tab): the copy is what the server has now.
    server.store(1, [box("a"), box("b", 2)]);
    await h.clock.advance(SET_MAX_AGE_MS - 1);
    await h.session.copyFromPrevious();
    expect([...h.editor.getState().doc.shapes.values()].map((s) => s.labelId)).toEqual([1, 2]);
    // It is an edit of this image: it autosaves.
    await h.clock.advance(800);
    expect(server.sets.get(2)?.annotations).toHaveLength(2);
  });

  it("says so when there is nothing to copy", async () => {
    const h = harness();
    await open(h, 2);
    await h.session.copyFromPrevious();
    expect(h.notices.at(-1)).toEqual({ kind: "info", text: "The previous image has no shapes to copy." });
    expect(h.editor.getState().doc.shapes.size).toBe(0);
  });
});

describe("editor session: reload", () => {
  it("reads the shown image's annotations again from the server, even when the cached set is fresh", async () => {
    const h = harness();
    await open(h, 1);
    const reads = h.server.setReads.get(1) ?? 0;
    h.server.store(1, [box("a"), box("b")], "bob@example.org");
    h.session.reload();
    await h.clock.advance(0);
    expect(h.server.setReads.get(1)).toBe(reads + 1);
    expect(shapesOf(h.editor)).toEqual(["a:1", "b:1"]);
    expect(h.session.saveState().status).toEqual({ kind: "saved", revision: 1 });
  });
});
