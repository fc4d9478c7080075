-- Model-assisted labeling (issue 17): predictions are a reviewable layer beside the annotations.
-- docs/predictions.md tells the story.

-- One model version's output on some images. A deleted run (deleted_at set) is hidden: its
-- pending predictions are gone, its decided ones stay for the model's metrics.
-- The counts per state are kept by triggers on `predictions` (below), so the run list reads four
-- integers per run instead of counting 100k rows each; image_count is how many images the run
-- predicted on, written by whoever writes the run's predictions (it is history: deleting an image
-- later does not change what the model saw).
CREATE TABLE prediction_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_name TEXT NOT NULL,
  model_version TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('coco-results', 'yolo', 'labelstudio', 'backend')),
  label_map TEXT NOT NULL,       -- [{modelLabel, labelId}]
  params TEXT NOT NULL,          -- {minScore, nmsIou, files, ...}
  -- The dataset version the model was trained on; no foreign key: versions may be absent.
  trained_on_version INTEGER,
  created_by TEXT,
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  image_count INTEGER NOT NULL DEFAULT 0,
  pending_count INTEGER NOT NULL DEFAULT 0,
  accepted_count INTEGER NOT NULL DEFAULT 0,
  edited_count INTEGER NOT NULL DEFAULT 0,
  rejected_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX prediction_runs_project ON prediction_runs(project_id, id);

-- One detection (or whole-image tag, geometry NULL) of a run. edit_iou is the IoU of the
-- prediction with the shape it became: 1 when accepted unchanged.
CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES prediction_runs(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  geometry TEXT,
  score REAL NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'edited', 'rejected')),
  annotation_id TEXT,
  edit_iou REAL,
  decided_by TEXT,
  decided_at TEXT
);
-- The editor reads one image's predictions; bulk accept, calibration and deletion read a run's by
-- state and score.
CREATE INDEX predictions_image_run ON predictions(image_id, run_id);
CREATE INDEX predictions_run_state_score ON predictions(run_id, state, score);
-- A label's deletion cascades here (SQLite and PostgreSQL look up the children by this index).
CREATE INDEX predictions_label ON predictions(label_id);

-- The prediction an annotation was accepted from. SET NULL: a prediction removed with its label
-- leaves the shape a hand-drawn one.
ALTER TABLE annotations ADD COLUMN prediction_id INTEGER REFERENCES predictions(id) ON DELETE SET NULL;
CREATE INDEX annotations_prediction ON annotations(prediction_id) WHERE prediction_id IS NOT NULL;

CREATE TRIGGER prediction_counts_insert AFTER INSERT ON predictions BEGIN
  UPDATE prediction_runs SET
      pending_count = pending_count + (NEW.state = 'pending'),
      accepted_count = accepted_count + (NEW.state = 'accepted'),
      edited_count = edited_count + (NEW.state = 'edited'),
      rejected_count = rejected_count + (NEW.state = 'rejected')
    WHERE id = NEW.run_id;
END;

CREATE TRIGGER prediction_counts_delete AFTER DELETE ON predictions BEGIN
  UPDATE prediction_runs SET
      pending_count = pending_count - (OLD.state = 'pending'),
      accepted_count = accepted_count - (OLD.state = 'accepted'),
      edited_count = edited_count - (OLD.state = 'edited'),
      rejected_count = rejected_count - (OLD.state = 'rejected')
    WHERE id = OLD.run_id;
END;

CREATE TRIGGER prediction_counts_update AFTER UPDATE OF state ON predictions
  WHEN OLD.state IS NOT NEW.state BEGIN
  UPDATE prediction_runs SET
      pending_count = pending_count + (NEW.state = 'pending') - (OLD.state = 'pending'),
      accepted_count = accepted_count + (NEW.state = 'accepted') - (OLD.state = 'accepted'),
      edited_count = edited_count + (NEW.state = 'edited') - (OLD.state = 'edited'),
      rejected_count = rejected_count + (NEW.state = 'rejected') - (OLD.state = 'rejected')
    WHERE id = NEW.run_id;
END;
