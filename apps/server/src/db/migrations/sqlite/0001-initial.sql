CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  -- lower-cased name: uniqueness is case-insensitive for every script, not only ASCII
  name_key TEXT NOT NULL,
  color TEXT NOT NULL,
  hotkey TEXT,
  position INTEGER NOT NULL,
  shape_types TEXT NOT NULL,
  UNIQUE (project_id, name_key)
);
CREATE UNIQUE INDEX labels_hotkey ON labels(project_id, hotkey) WHERE hotkey IS NOT NULL;
CREATE INDEX labels_position ON labels(project_id, position);

CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  file_name TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  format TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
  annotation_count INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL DEFAULT 0,
  tile_state TEXT NOT NULL DEFAULT 'none',
  tile_progress REAL NOT NULL DEFAULT 0,
  tile_size INTEGER,
  tile_levels INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, sha256)
);
CREATE INDEX images_project_status ON images(project_id, status, id);
CREATE INDEX images_sha ON images(sha256);

CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  label_id INTEGER NOT NULL REFERENCES labels(id),
  geometry TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_by TEXT,
  updated_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (image_id, uid)
);
CREATE INDEX annotations_label ON annotations(label_id);

CREATE TABLE image_tags (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  PRIMARY KEY (image_id, label_id)
) WITHOUT ROWID;
CREATE INDEX image_tags_label ON image_tags(label_id);
