-- Active learning (issue 17): the work queue ordered by a model's uncertainty, mixed with
-- diversity across predicted labels. docs/quality-metrics.md, "Active learning".

-- A project without a row hands out images in upload (name) order, as before.
-- recent_labels: the top predicted labels of the latest uncertainty hand-outs, newest first (JSON
-- list of label ids, at most MAX_DIVERSITY long), which the diversity rule reads.
CREATE TABLE active_learning (
  project_id INTEGER NOT NULL PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  queue_order TEXT NOT NULL DEFAULT 'upload' CHECK (queue_order IN ('upload', 'uncertainty')),
  measure TEXT NOT NULL DEFAULT 'least-confidence' CHECK (measure IN ('least-confidence', 'margin')),
  run_id INTEGER REFERENCES prediction_runs(id) ON DELETE SET NULL,
  diversity INTEGER NOT NULL DEFAULT 2,
  recent_labels TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- One row per (run, image) the run predicted on, written with the run's predictions: the model's
-- top score on the image, top − second score (the margin; the top score itself when there is one
-- prediction), and the label of the top prediction. The queue reads the least sure free image of a
-- label by an index range scan, whatever the image count.
CREATE TABLE prediction_image_scores (
  run_id INTEGER NOT NULL REFERENCES prediction_runs(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  top_label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  top_score REAL NOT NULL,
  margin REAL NOT NULL,
  PRIMARY KEY (run_id, image_id)
) WITHOUT ROWID;
CREATE INDEX prediction_image_scores_confidence ON prediction_image_scores(top_label_id, run_id, top_score, image_id);
CREATE INDEX prediction_image_scores_margin ON prediction_image_scores(top_label_id, run_id, margin, image_id);
-- An image's deletion cascades here (a label's finds its rows by the two indexes above, which
-- lead with the label: a separate label index would tempt SQLite's planner, without statistics,
-- into reading a label's rows and sorting them).
CREATE INDEX prediction_image_scores_image ON prediction_image_scores(image_id);
