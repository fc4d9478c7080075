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
  const pending: (string | number | null)[] = [];
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
    row: (
      seq: number,
      position: number,
      uid: string,
      label: number,
      geometry: string,
      attributes: string | null = null,
    ) => {
      pending.push(seq, position, uid, label, geometry, attributes);
      if (pending.length === STAGE_BATCH_ROWS * ROW_COLUMNS) {
        insRows.run(pending);
        pending.length = 0;
      }
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
    label: (ref: number, name: string) => insLabel.run(ref, name),
    /** Commits (keep) or drops the writes, and closes the file. */
    close: (keep: boolean) => {
      if (keep) flush();
      if (db.inTransaction) db.exec(keep ? "COMMIT" : "ROLLBACK");
      db.close();
    },
  };
};

export type Stage = ReturnType<typeof createStage>;
