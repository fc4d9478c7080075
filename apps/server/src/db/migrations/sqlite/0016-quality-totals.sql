-- Quality control, part 2 (issue 16): the QC report's totals, kept as the comparisons change.
-- quality_results (0014) holds one row per comparison; the report sums them per annotator, week and
-- label. Summing 100k rows and parsing their confusion cells at every request took hundreds of
-- milliseconds; these totals are a few rows per annotator and week, and triggers keep them exact
-- through every write to quality_results, including the rows a deleted image, project or user
-- takes with it. docs/quality-metrics.md names each column's formula.

-- The UTC week (its Monday, YYYY-MM-DD) the measured work was submitted in, written by the scorer;
-- and the sum of squared IoUs, for the mean IoU's interval.
ALTER TABLE quality_results ADD COLUMN week TEXT NOT NULL DEFAULT '';
ALTER TABLE quality_results ADD COLUMN iou_sq_sum REAL NOT NULL DEFAULT 0;
CREATE INDEX quality_results_project_week ON quality_results(project_id, kind, week);
-- The scorer reads and rewrites one image's rows: 0014's unique key starts with the kind.
CREATE INDEX quality_results_image ON quality_results(image_id);

CREATE TABLE quality_totals (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  checked_user_id INTEGER NOT NULL,
  reference_key INTEGER NOT NULL,
  week TEXT NOT NULL,
  comparisons INTEGER NOT NULL,
  tp INTEGER NOT NULL,
  fp INTEGER NOT NULL,
  fn INTEGER NOT NULL,
  mismatched INTEGER NOT NULL,
  low_overlap INTEGER NOT NULL,
  iou_sum REAL NOT NULL,
  iou_sq_sum REAL NOT NULL,
  tag_tp INTEGER NOT NULL,
  tag_fp INTEGER NOT NULL,
  tag_fn INTEGER NOT NULL,
  PRIMARY KEY (project_id, kind, checked_user_id, reference_key, week)
) WITHOUT ROWID;

-- Confusion cells summed; label 0 is "no shape" (a missing or an extra one).
CREATE TABLE quality_confusion_totals (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  checked_user_id INTEGER NOT NULL,
  week TEXT NOT NULL,
  reference_label_id INTEGER NOT NULL,
  checked_label_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (project_id, kind, checked_user_id, week, reference_label_id, checked_label_id)
) WITHOUT ROWID;

CREATE TRIGGER quality_results_totals_insert AFTER INSERT ON quality_results BEGIN
  INSERT INTO quality_totals (project_id, kind, checked_user_id, reference_key, week, comparisons, tp, fp, fn,
      mismatched, low_overlap, iou_sum, iou_sq_sum, tag_tp, tag_fp, tag_fn)
    VALUES (NEW.project_id, NEW.kind, NEW.checked_user_id, NEW.reference_key, NEW.week, 1, NEW.tp, NEW.fp, NEW.fn,
      NEW.mismatched, NEW.low_overlap, NEW.iou_sum, NEW.iou_sq_sum, NEW.tag_tp, NEW.tag_fp, NEW.tag_fn)
    ON CONFLICT (project_id, kind, checked_user_id, reference_key, week) DO UPDATE SET
      comparisons = comparisons + 1, tp = tp + excluded.tp, fp = fp + excluded.fp, fn = fn + excluded.fn,
      mismatched = mismatched + excluded.mismatched, low_overlap = low_overlap + excluded.low_overlap,
      iou_sum = iou_sum + excluded.iou_sum, iou_sq_sum = iou_sq_sum + excluded.iou_sq_sum,
      tag_tp = tag_tp + excluded.tag_tp, tag_fp = tag_fp + excluded.tag_fp, tag_fn = tag_fn + excluded.tag_fn;
  INSERT INTO quality_confusion_totals (project_id, kind, checked_user_id, week, reference_label_id,
      checked_label_id, n)
    SELECT NEW.project_id, NEW.kind, NEW.checked_user_id, NEW.week, coalesce(json_extract(c.value, '$[0]'), 0),
      coalesce(json_extract(c.value, '$[1]'), 0), json_extract(c.value, '$[2]')
    FROM json_each(NEW.confusion) AS c WHERE true
    ON CONFLICT (project_id, kind, checked_user_id, week, reference_label_id, checked_label_id)
      DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER quality_results_totals_delete AFTER DELETE ON quality_results BEGIN
  UPDATE quality_totals SET comparisons = comparisons - 1, tp = tp - OLD.tp, fp = fp - OLD.fp, fn = fn - OLD.fn,
      mismatched = mismatched - OLD.mismatched, low_overlap = low_overlap - OLD.low_overlap,
      iou_sum = iou_sum - OLD.iou_sum, iou_sq_sum = iou_sq_sum - OLD.iou_sq_sum,
      tag_tp = tag_tp - OLD.tag_tp, tag_fp = tag_fp - OLD.tag_fp, tag_fn = tag_fn - OLD.tag_fn
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND reference_key = OLD.reference_key AND week = OLD.week;
  DELETE FROM quality_totals
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND reference_key = OLD.reference_key AND week = OLD.week AND comparisons = 0;
  UPDATE quality_confusion_totals SET n = n - json_extract(c.value, '$[2]')
    FROM json_each(OLD.confusion) AS c
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND week = OLD.week AND reference_label_id = coalesce(json_extract(c.value, '$[0]'), 0)
      AND checked_label_id = coalesce(json_extract(c.value, '$[1]'), 0);
  DELETE FROM quality_confusion_totals
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND week = OLD.week AND n = 0;
END;

-- An update is the old row taken out and the new one put in (the scorer rewrites a comparison).
CREATE TRIGGER quality_results_totals_update AFTER UPDATE ON quality_results BEGIN
  UPDATE quality_totals SET comparisons = comparisons - 1, tp = tp - OLD.tp, fp = fp - OLD.fp, fn = fn - OLD.fn,
      mismatched = mismatched - OLD.mismatched, low_overlap = low_overlap - OLD.low_overlap,
      iou_sum = iou_sum - OLD.iou_sum, iou_sq_sum = iou_sq_sum - OLD.iou_sq_sum,
      tag_tp = tag_tp - OLD.tag_tp, tag_fp = tag_fp - OLD.tag_fp, tag_fn = tag_fn - OLD.tag_fn
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND reference_key = OLD.reference_key AND week = OLD.week;
  UPDATE quality_confusion_totals SET n = n - json_extract(c.value, '$[2]')
    FROM json_each(OLD.confusion) AS c
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND week = OLD.week AND reference_label_id = coalesce(json_extract(c.value, '$[0]'), 0)
      AND checked_label_id = coalesce(json_extract(c.value, '$[1]'), 0);
  INSERT INTO quality_totals (project_id, kind, checked_user_id, reference_key, week, comparisons, tp, fp, fn,
      mismatched, low_overlap, iou_sum, iou_sq_sum, tag_tp, tag_fp, tag_fn)
    VALUES (NEW.project_id, NEW.kind, NEW.checked_user_id, NEW.reference_key, NEW.week, 1, NEW.tp, NEW.fp, NEW.fn,
      NEW.mismatched, NEW.low_overlap, NEW.iou_sum, NEW.iou_sq_sum, NEW.tag_tp, NEW.tag_fp, NEW.tag_fn)
    ON CONFLICT (project_id, kind, checked_user_id, reference_key, week) DO UPDATE SET
      comparisons = comparisons + 1, tp = tp + excluded.tp, fp = fp + excluded.fp, fn = fn + excluded.fn,
      mismatched = mismatched + excluded.mismatched, low_overlap = low_overlap + excluded.low_overlap,
      iou_sum = iou_sum + excluded.iou_sum, iou_sq_sum = iou_sq_sum + excluded.iou_sq_sum,
      tag_tp = tag_tp + excluded.tag_tp, tag_fp = tag_fp + excluded.tag_fp, tag_fn = tag_fn + excluded.tag_fn;
  INSERT INTO quality_confusion_totals (project_id, kind, checked_user_id, week, reference_label_id,
      checked_label_id, n)
    SELECT NEW.project_id, NEW.kind, NEW.checked_user_id, NEW.week, coalesce(json_extract(c.value, '$[0]'), 0),
      coalesce(json_extract(c.value, '$[1]'), 0), json_extract(c.value, '$[2]')
    FROM json_each(NEW.confusion) AS c WHERE true
    ON CONFLICT (project_id, kind, checked_user_id, week, reference_label_id, checked_label_id)
      DO UPDATE SET n = n + excluded.n;
  DELETE FROM quality_totals
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND reference_key = OLD.reference_key AND week = OLD.week AND comparisons = 0;
  DELETE FROM quality_confusion_totals
    WHERE project_id = OLD.project_id AND kind = OLD.kind AND checked_user_id = OLD.checked_user_id
      AND week = OLD.week AND n = 0;
END;

-- The workflow's numbers beside the quality (throughput per active hour, first-pass yield, rework),
-- per person and week, kept as the records are written: counting them from review_events and
-- image_copies at every report read every submission of the project. Work done stays counted when
-- the image is deleted later (only a project's deletion clears its totals).
CREATE TABLE quality_work_totals (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  week TEXT NOT NULL,
  active_seconds INTEGER NOT NULL DEFAULT 0,
  images_submitted INTEGER NOT NULL DEFAULT 0,  -- first submissions (attempt 1) of the project's images
  copies_submitted INTEGER NOT NULL DEFAULT 0,  -- private copies submitted (gold, qualification, overlap)
  decisions INTEGER NOT NULL DEFAULT 0,         -- review decisions on their work
  first_decisions INTEGER NOT NULL DEFAULT 0,   -- of which on attempt 1
  first_accepted INTEGER NOT NULL DEFAULT 0,    -- of which accepted or fixed
  rejected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, user_id, week)
) WITHOUT ROWID;

CREATE TRIGGER quality_work_events AFTER INSERT ON review_events
  WHEN (NEW.kind = 'submitted' AND NEW.attempt = 1 AND NEW.actor_id IS NOT NULL)
    OR (NEW.kind IN ('accepted', 'fixed', 'rejected') AND NEW.subject_id IS NOT NULL) BEGIN
  INSERT INTO quality_work_totals (project_id, user_id, week, images_submitted, decisions, first_decisions,
      first_accepted, rejected)
    VALUES (NEW.project_id, CASE WHEN NEW.kind = 'submitted' THEN NEW.actor_id ELSE NEW.subject_id END,
      date(substr(NEW.created_at, 1, 10), 'weekday 0', '-6 days'),
      NEW.kind = 'submitted', NEW.kind <> 'submitted', NEW.kind <> 'submitted' AND NEW.attempt = 1,
      NEW.kind IN ('accepted', 'fixed') AND NEW.attempt = 1, NEW.kind = 'rejected')
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET
      images_submitted = images_submitted + excluded.images_submitted, decisions = decisions + excluded.decisions,
      first_decisions = first_decisions + excluded.first_decisions,
      first_accepted = first_accepted + excluded.first_accepted, rejected = rejected + excluded.rejected;
END;

CREATE TRIGGER quality_work_copies_insert AFTER INSERT ON image_copies WHEN NEW.state = 'submitted' BEGIN
  INSERT INTO quality_work_totals (project_id, user_id, week, copies_submitted)
    SELECT i.project_id, NEW.user_id,
      date(substr(coalesce(NEW.submitted_at, NEW.updated_at), 1, 10), 'weekday 0', '-6 days'), 1
    FROM images AS i WHERE i.id = NEW.image_id
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET copies_submitted = copies_submitted + 1;
END;

CREATE TRIGGER quality_work_copies_submit AFTER UPDATE OF state ON image_copies
  WHEN OLD.state <> 'submitted' AND NEW.state = 'submitted' BEGIN
  INSERT INTO quality_work_totals (project_id, user_id, week, copies_submitted)
    SELECT i.project_id, NEW.user_id,
      date(substr(coalesce(NEW.submitted_at, NEW.updated_at), 1, 10), 'weekday 0', '-6 days'), 1
    FROM images AS i WHERE i.id = NEW.image_id
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET copies_submitted = copies_submitted + 1;
END;

CREATE TRIGGER quality_work_activity_insert AFTER INSERT ON editor_activity BEGIN
  INSERT INTO quality_work_totals (project_id, user_id, week, active_seconds)
    VALUES (NEW.project_id, NEW.user_id, date(NEW.day, 'weekday 0', '-6 days'), NEW.seconds)
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET active_seconds = active_seconds + excluded.active_seconds;
END;

CREATE TRIGGER quality_work_activity_update AFTER UPDATE OF seconds ON editor_activity BEGIN
  INSERT INTO quality_work_totals (project_id, user_id, week, active_seconds)
    VALUES (NEW.project_id, NEW.user_id, date(NEW.day, 'weekday 0', '-6 days'), NEW.seconds - OLD.seconds)
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET active_seconds = active_seconds + excluded.active_seconds;
END;

-- What the workflow recorded before this migration.
INSERT INTO quality_work_totals (project_id, user_id, week, images_submitted, decisions, first_decisions,
    first_accepted, rejected)
  SELECT project_id, CASE WHEN kind = 'submitted' THEN actor_id ELSE subject_id END,
    date(substr(created_at, 1, 10), 'weekday 0', '-6 days'),
    sum(kind = 'submitted'), sum(kind <> 'submitted'), sum(kind <> 'submitted' AND attempt = 1),
    sum(kind IN ('accepted', 'fixed') AND attempt = 1), sum(kind = 'rejected')
  FROM review_events
  WHERE (kind = 'submitted' AND attempt = 1 AND actor_id IS NOT NULL)
    OR (kind IN ('accepted', 'fixed', 'rejected') AND subject_id IS NOT NULL)
  GROUP BY 1, 2, 3;
INSERT INTO quality_work_totals (project_id, user_id, week, active_seconds)
  SELECT project_id, user_id, date(day, 'weekday 0', '-6 days'), sum(seconds) FROM editor_activity WHERE true
  GROUP BY 1, 2, 3
  ON CONFLICT (project_id, user_id, week) DO UPDATE SET active_seconds = active_seconds + excluded.active_seconds;
INSERT INTO quality_work_totals (project_id, user_id, week, copies_submitted)
  SELECT i.project_id, c.user_id, date(substr(coalesce(c.submitted_at, c.updated_at), 1, 10), 'weekday 0', '-6 days'),
    count(*)
  FROM image_copies AS c JOIN images AS i ON i.id = c.image_id WHERE c.state = 'submitted'
  GROUP BY 1, 2, 3
  ON CONFLICT (project_id, user_id, week) DO UPDATE SET copies_submitted = copies_submitted + excluded.copies_submitted;
