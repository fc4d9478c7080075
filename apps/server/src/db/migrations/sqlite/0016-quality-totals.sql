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
