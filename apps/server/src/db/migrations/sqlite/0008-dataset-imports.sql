-- An import decodes into a staging file off the main thread, then publishes it into the project in
-- short transactions (modules/datasets/import-publish.ts). A row here is an import past its point of
-- no return: decoded without an error, its labels created. It is published from `published_through`
-- on (the staged images are numbered 1..images), also after a restart, and removed when done.
CREATE TABLE dataset_imports (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  stage_file TEXT NOT NULL,
  existing TEXT NOT NULL CHECK (existing IN ('append', 'replace')),
  actor TEXT,
  started_at TEXT NOT NULL,
  images INTEGER NOT NULL,
  published_through INTEGER NOT NULL DEFAULT 0
);

-- The labels the import created, by the placeholder (negative) ids its staged rows carry.
CREATE TABLE dataset_import_labels (
  import_id INTEGER NOT NULL REFERENCES dataset_imports(id) ON DELETE CASCADE,
  ref INTEGER NOT NULL,
  label_id INTEGER NOT NULL,
  PRIMARY KEY (import_id, ref)
) WITHOUT ROWID;
