-- Active learning (issue 17): see sqlite/0021-active-learning.sql for what each part is for.

CREATE TABLE active_learning (
  project_id bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  queue_order text COLLATE "C" NOT NULL DEFAULT 'upload' CHECK (queue_order IN ('upload', 'uncertainty')),
  measure text COLLATE "C" NOT NULL DEFAULT 'least-confidence' CHECK (measure IN ('least-confidence', 'margin')),
  run_id bigint REFERENCES prediction_runs(id) ON DELETE SET NULL,
  diversity bigint NOT NULL DEFAULT 2,
  recent_labels text COLLATE "C" NOT NULL DEFAULT '[]',
  updated_at text COLLATE "C" NOT NULL
);

CREATE TABLE prediction_image_scores (
  run_id bigint NOT NULL REFERENCES prediction_runs(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  top_label_id bigint NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  top_score double precision NOT NULL,
  margin double precision NOT NULL,
  PRIMARY KEY (run_id, image_id)
);
CREATE INDEX prediction_image_scores_confidence ON prediction_image_scores(top_label_id, run_id, top_score, image_id);
CREATE INDEX prediction_image_scores_margin ON prediction_image_scores(top_label_id, run_id, margin, image_id);
CREATE INDEX prediction_image_scores_image ON prediction_image_scores(image_id);
