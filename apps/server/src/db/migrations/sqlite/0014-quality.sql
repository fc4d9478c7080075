-- Quality control, part 2 (issue 16): gold images, private copies, project quality settings and
-- one row per comparison scored. docs/quality-workflow.md tells the story.

-- A gold image's own annotations are the reference; annotators work on it through copies only.
ALTER TABLE images ADD COLUMN gold TEXT CHECK (gold IN ('honeypot', 'qualification'));
CREATE INDEX images_project_gold ON images(project_id, gold);

-- One person's private annotation set for one image (a honeypot, a qualification image, blind
-- overlap): the shapes as the annotation rows hold them, as JSON, with a revision of its own.
CREATE TABLE image_copies (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('gold', 'qualification', 'overlap')),
  revision INTEGER NOT NULL DEFAULT 0,
  shapes TEXT NOT NULL,          -- [{uid, labelId, geometry, createdBy, updatedBy, createdAt, updatedAt}]
  tags TEXT NOT NULL,            -- [labelId]
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'submitted')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  submitted_at TEXT,
  UNIQUE (image_id, user_id)
);
CREATE INDEX image_copies_user ON image_copies(user_id, state);

-- A project without a row has the defaults (QualitySettings in packages/schema).
CREATE TABLE project_quality (
  project_id INTEGER NOT NULL PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  honeypot_percent REAL NOT NULL DEFAULT 0,
  warmup_images INTEGER NOT NULL DEFAULT 0,
  qualification_images INTEGER NOT NULL DEFAULT 0,
  qualification_pass REAL NOT NULL DEFAULT 0.8,
  overlap INTEGER NOT NULL DEFAULT 1,
  overlap_percent REAL NOT NULL DEFAULT 100,
  consensus_quorum REAL NOT NULL DEFAULT 0.5,
  audit_percent REAL NOT NULL DEFAULT 0,
  match_preset TEXT NOT NULL DEFAULT 'default' CHECK (match_preset IN ('default', 'cvat')),
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- One comparison: whose work (checked_user_id) against what (reference_key: 0 = the image's own
-- annotations, else the other annotator's or the auditor's user id), as counts that sum.
CREATE TABLE quality_results (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('gold', 'overlap', 'audit')),
  checked_user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reference_key INTEGER NOT NULL,
  tp INTEGER NOT NULL,
  fp INTEGER NOT NULL,
  fn INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  low_overlap INTEGER NOT NULL,
  iou_sum REAL NOT NULL,
  tag_tp INTEGER NOT NULL,
  tag_fp INTEGER NOT NULL,
  tag_fn INTEGER NOT NULL,
  confusion TEXT NOT NULL,       -- [[referenceLabelId|null, checkedLabelId|null, count]]
  checked_at TEXT,
  computed_at TEXT NOT NULL,
  UNIQUE (kind, image_id, checked_user_id, reference_key)
);
CREATE INDEX quality_results_project ON quality_results(project_id, kind, checked_user_id);
