-- Dataset versions (issue 17): a project's annotations (and split) frozen into an immutable,
-- numbered version that exports byte-identically later. A freeze copies what an export reads of
-- the live tables (images as exported, the label set, the tags, the annotations) with
-- INSERT … SELECT, keeping the live ids: an export of a version runs the same plan and encoders
-- over these rows in the same order. No foreign key points at the live rows (they may be edited or
-- deleted afterwards); version_images.sha256 keeps the image's stored file alive (the files'
-- reference rule, stored-files-repo.ts).

CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  note TEXT NOT NULL,
  -- "80,10,10" and its seed when the freeze assigned each image its split (version_images.split),
  -- else NULL: exports then split as a live export does.
  split TEXT,
  seed TEXT,
  created_by TEXT,
  created_at TEXT NOT NULL,
  image_count INTEGER NOT NULL DEFAULT 0,
  shape_count INTEGER NOT NULL DEFAULT 0,
  -- A deleted version keeps this row (its rows below go): its number is never given again, so a
  -- prediction run naming "trained on version 2" can never come to mean another dataset.
  deleted_at TEXT,
  UNIQUE (project_id, number)
);

CREATE TABLE version_labels (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  color TEXT NOT NULL,
  position INTEGER NOT NULL,
  shape_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (version_id, label_id)
);

CREATE TABLE version_images (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  file_name TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  channels INTEGER,
  format TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  annotation_count INTEGER NOT NULL,
  status TEXT NOT NULL,
  review_state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  decided_revision INTEGER,
  split TEXT,
  PRIMARY KEY (version_id, image_id)
);
CREATE INDEX version_images_sha ON version_images(sha256);

CREATE TABLE version_image_tags (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL,
  label_id INTEGER NOT NULL,
  PRIMARY KEY (version_id, image_id, label_id)
);

CREATE TABLE version_annotations (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  image_id INTEGER NOT NULL,
  uid TEXT NOT NULL,
  label_id INTEGER NOT NULL,
  geometry TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (version_id, image_id, position, id)
) WITHOUT ROWID;
-- Clustered in the export's order (an image's shapes in drawing order), one B-tree fewer to fill
-- at a freeze than a rowid table with that index; the diff matches a shape by uid within its image.
CREATE UNIQUE INDEX version_annotations_uid ON version_annotations(version_id, image_id, uid);
