import Database from "better-sqlite3";

/**
 * The staging file of one import: what the decoder accepted, in the shape the project will get
 * it, in a SQLite file of its own. Writing it takes no lock on the project's database, so the
 * seconds of decoding never hold up a save; import-publish.ts then moves it into the project in
 * short transactions. Label ids are the project's (positive) or placeholders for labels the
 * import creates (negative, numbered in creation order); images are numbered 1..n in the order
 * the dataset first names them (`seq`).
 */
const SCHEMA = `
CREATE TABLE images (
  seq INTEGER PRIMARY KEY,
  image_id INTEGER,            -- a project image; NULL: a new image from the upload (by sha256)
  sha256 TEXT,
  file_name TEXT,
  width INTEGER,
  height INTEGER,
  channels INTEGER,
  format TEXT,
  byte_size INTEGER,
  tile_state TEXT,
  rows INTEGER NOT NULL,       -- staged annotations
  tags TEXT                    -- JSON array of label ids, or NULL
);
CREATE TABLE rows (
  image_seq INTEGER NOT NULL,
  position INTEGER NOT NULL,   -- from 0 per image; an append adds the image's next position
  uid TEXT NOT NULL,
  label INTEGER NOT NULL,
  geometry TEXT NOT NULL,
  attributes TEXT,             -- the shape's attribute values as JSON, or NULL
  PRIMARY KEY (image_seq, position)
) WITHOUT ROWID;
CREATE TABLE labels (
  ref INTEGER PRIMARY KEY,     -- negative: the placeholder id rows carry
  name TEXT NOT NULL
);
`;

export interface StagedNewImage {
  sha256: string;
  fileName: string;
  width: number;
  height: number;
  channels: number;
  format: string;
  byteSize: number;
  tileState: "none" | "pending";
}

export interface StagedImage {
  seq: number;
  imageId: number | null;
  image: StagedNewImage | null;
  rows: number;
  tags: readonly number[] | null;
}

/**
 * Annotation rows per INSERT statement: one statement per row made a sixth of the decoding
 * thread's time at a million rows (the call into SQLite, not the write); a hundred rows per call
 * take ~45% less CPU. The rows wait in a buffer of at most this many.
 */
export const STAGE_BATCH_ROWS = 100;
const ROW_COLUMNS = 6;

/**
 * Staged rows gathered into batches of STAGE_BATCH_ROWS, each full one handed to `full` (the
 * file's INSERT, or a message to the thread that writes it); `pending` holds the rest. `full`
 * must not keep the array, which is reused.
 */
const rowBatches = (full: (rows: StagedRowValues) => void) => {
  const pending: StagedRowValues = [];
  const add = (
    seq: number,
    position: number,
    uid: string,
    label: number,
    geometry: string,
    attributes: string | null = null,
  ) => {
    pending.push(seq, position, uid, label, geometry, attributes);
    if (pending.length === STAGE_BATCH_ROWS * ROW_COLUMNS) {
      full(pending);
      pending.length = 0;
    }
  };
  return { pending, add };
};

/** Opens a new staging file for writing; one transaction holds every write until `close(true)`. */
export const createStage = (file: string) => {
  const db = new Database(file);
  // A staging file that a crash interrupts is thrown away, never recovered: no journal to keep.
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.exec(SCHEMA);
  const insRow = db.prepare(
    "INSERT INTO rows (image_seq, position, uid, label, geometry, attributes) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insRows = db.prepare(
    `INSERT INTO rows (image_seq, position, uid, label, geometry, attributes) VALUES ${Array(STAGE_BATCH_ROWS).fill("(?, ?, ?, ?, ?, ?)").join(", ")}`,
  );
  /** Rows not yet written, their columns one after another. */
  const { pending, add: row } = rowBatches((rows) => insRows.run(rows));
  const flush = () => {
    for (let i = 0; i < pending.length; i += ROW_COLUMNS) insRow.run(pending.slice(i, i + ROW_COLUMNS));
    pending.length = 0;
  };
  const insImage = db.prepare(
    `INSERT INTO images (seq, image_id, sha256, file_name, width, height, channels, format, byte_size, tile_state, rows, tags)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insLabel = db.prepare("INSERT INTO labels (ref, name) VALUES (?, ?)");
  db.exec("BEGIN");
  return {
    file,
    row,
    /** Rows given as a remote stage's batch: their columns one row after another. */
    rows: (batch: StagedRowValues) => {
      if (pending.length === 0 && batch.length === STAGE_BATCH_ROWS * ROW_COLUMNS) insRows.run(batch);
      else
        for (let i = 0; i < batch.length; i += ROW_COLUMNS)
          row(
            batch[i] as number,
            batch[i + 1] as number,
            batch[i + 2] as string,
            batch[i + 3] as number,
            batch[i + 4] as string,
            (batch[i + 5] ?? null) as string | null,
          );
    },
    /** Rows buffered and not yet in the file (never more than STAGE_BATCH_ROWS). */
    get pendingRows() {
      return pending.length / ROW_COLUMNS;
    },
    image: (s: StagedImage) => {
      const n = s.image;
      insImage.run(
        s.seq,
        s.imageId,
        n?.sha256 ?? null,
        n?.fileName ?? null,
        n?.width ?? null,
        n?.height ?? null,
        n?.channels ?? null,
        n?.format ?? null,
        n?.byteSize ?? null,
        n?.tileState ?? null,
        s.rows,
        s.tags && s.tags.length > 0 ? JSON.stringify(s.tags) : null,
      );
    },
    label: (ref: number, name: string): void => {
      insLabel.run(ref, name);
    },
    /** Commits (keep) or drops the writes, and closes the file. */
    close: (keep: boolean) => {
      if (keep) flush();
      if (db.inTransaction) db.exec(keep ? "COMMIT" : "ROLLBACK");
      db.close();
    },
  };
};

export type Stage = ReturnType<typeof createStage>;

/** A staged row's columns, one row after another: image_seq, position, uid, label, geometry, attributes. */
export type StagedRowValues = (string | number | null)[];

/** What the decoder writes to its stage, as messages from the import worker to the thread that writes the file. */
export type StageOp =
  | { op: "rows"; rows: StagedRowValues }
  | { op: "images"; images: StagedImage[] }
  | { op: "label"; ref: number; name: string }
  | { op: "close"; keep: boolean };

/** What the decoder writes through: the file itself, or a remote stage. */
export type StageWriter = Pick<Stage, "row" | "image" | "label" | "close">;

/** Images per "images" message: the main thread writes each message at once, between requests. */
const IMAGE_BATCH = 500;

/**
 * A stage written by another thread: the import worker hands each batch to `send` (postMessage)
 * and the main thread writes them to the file (`stageWriter`). The writes were a sixth of the
 * worker's time, and the worker's time is the decoding's: moved off it, they run on the main
 * thread, which has little to do while an import decodes (a batch is ~0.2 ms of it).
 */
export const remoteStage = (send: (op: StageOp) => void): StageWriter => {
  const { pending, add } = rowBatches((rows) => send({ op: "rows", rows }));
  let images: StagedImage[] = [];
  const flushImages = () => {
    if (images.length > 0) send({ op: "images", images });
    images = [];
  };
  return {
    row: add,
    image: (s) => {
      images.push(s);
      if (images.length === IMAGE_BATCH) flushImages();
    },
    label: (ref, name) => send({ op: "label", ref, name }),
    close: (keep) => {
      if (keep && pending.length > 0) send({ op: "rows", rows: pending });
      if (keep) flushImages();
      pending.length = 0;
      send({ op: "close", keep });
    },
  };
};

/**
 * The main thread's side of a remote stage: writes each op to the file, in order. The first
 * failure (the disk) is kept and the rest of the ops ignored; `close` gives it.
 */
export const stageWriter = (file: string) => {
  let stage: Stage | null = null;
  let failure: unknown = null;
  let closed = false;
  const open = () => {
    stage ??= createStage(file);
    return stage;
  };
  return {
    apply: (m: StageOp) => {
      if (failure !== null || closed) return;
      try {
        if (m.op === "rows") open().rows(m.rows);
        else if (m.op === "images") for (const i of m.images) open().image(i);
        else if (m.op === "label") open().label(m.ref, m.name);
        else {
          closed = true;
          open().close(m.keep);
        }
      } catch (err) {
        failure = err;
      }
    },
    /** After the worker's answer: the first failure, if any; a stage left open (the worker failed) is dropped. */
    finish: (): unknown => {
      if (!closed && stage) {
        closed = true;
        try {
          stage.close(false);
        } catch {
          // Dropping a stage that failed to write: the first failure is the one to give.
        }
      }
      return failure;
    },
  };
};
