-- Quality control, part 2 (issue 16): the QC report's totals; see sqlite/0016-quality-totals.sql
-- for what each part is for. Here the triggers are per statement over transition tables, as the
-- status counts' (0013): a project's deletion takes 100k comparisons with it in one statement, and a
-- row trigger's upsert of the same totals row grows with the square of them.

ALTER TABLE quality_results ADD COLUMN week text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE quality_results ADD COLUMN iou_sq_sum double precision NOT NULL DEFAULT 0;
CREATE INDEX quality_results_project_week ON quality_results(project_id, kind, week);
-- The scorer reads and rewrites one image's rows: 0014's unique key starts with the kind.
CREATE INDEX quality_results_image ON quality_results(image_id);

CREATE TABLE quality_totals (
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind text COLLATE "C" NOT NULL,
  checked_user_id bigint NOT NULL,
  reference_key bigint NOT NULL,
  week text COLLATE "C" NOT NULL,
  comparisons bigint NOT NULL,
  tp bigint NOT NULL,
  fp bigint NOT NULL,
  fn bigint NOT NULL,
  mismatched bigint NOT NULL,
  low_overlap bigint NOT NULL,
  iou_sum double precision NOT NULL,
  iou_sq_sum double precision NOT NULL,
  tag_tp bigint NOT NULL,
  tag_fp bigint NOT NULL,
  tag_fn bigint NOT NULL,
  PRIMARY KEY (project_id, kind, checked_user_id, reference_key, week)
);

CREATE TABLE quality_confusion_totals (
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind text COLLATE "C" NOT NULL,
  checked_user_id bigint NOT NULL,
  week text COLLATE "C" NOT NULL,
  reference_label_id bigint NOT NULL,
  checked_label_id bigint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (project_id, kind, checked_user_id, week, reference_label_id, checked_label_id)
);

-- Adds the rows of `added` and takes out those of `removed` (each a jsonb array of quality_results
-- rows), then drops totals that fell to zero. What is taken out is an UPDATE of the rows there: when
-- a project's deletion cascades, its totals may already be gone, and nothing is written back.
CREATE FUNCTION quality_totals_apply(added jsonb, removed jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quality_totals AS t (project_id, kind, checked_user_id, reference_key, week, comparisons, tp, fp, fn,
      mismatched, low_overlap, iou_sum, iou_sq_sum, tag_tp, tag_fp, tag_fn)
    SELECT project_id, kind, checked_user_id, reference_key, week, count(*), sum(tp), sum(fp), sum(fn),
      sum(mismatched), sum(low_overlap), sum(iou_sum), sum(iou_sq_sum), sum(tag_tp), sum(tag_fp), sum(tag_fn)
    FROM jsonb_to_recordset(added) AS x(project_id bigint, kind text, checked_user_id bigint,
      reference_key bigint, week text, tp bigint, fp bigint, fn bigint, mismatched bigint, low_overlap bigint,
      iou_sum double precision, iou_sq_sum double precision, tag_tp bigint, tag_fp bigint, tag_fn bigint)
    GROUP BY project_id, kind, checked_user_id, reference_key, week
    ON CONFLICT (project_id, kind, checked_user_id, reference_key, week) DO UPDATE SET
      comparisons = t.comparisons + EXCLUDED.comparisons, tp = t.tp + EXCLUDED.tp, fp = t.fp + EXCLUDED.fp,
      fn = t.fn + EXCLUDED.fn, mismatched = t.mismatched + EXCLUDED.mismatched,
      low_overlap = t.low_overlap + EXCLUDED.low_overlap, iou_sum = t.iou_sum + EXCLUDED.iou_sum,
      iou_sq_sum = t.iou_sq_sum + EXCLUDED.iou_sq_sum, tag_tp = t.tag_tp + EXCLUDED.tag_tp,
      tag_fp = t.tag_fp + EXCLUDED.tag_fp, tag_fn = t.tag_fn + EXCLUDED.tag_fn;
  UPDATE quality_totals AS t SET comparisons = t.comparisons - o.comparisons, tp = t.tp - o.tp, fp = t.fp - o.fp,
      fn = t.fn - o.fn, mismatched = t.mismatched - o.mismatched, low_overlap = t.low_overlap - o.low_overlap,
      iou_sum = t.iou_sum - o.iou_sum, iou_sq_sum = t.iou_sq_sum - o.iou_sq_sum, tag_tp = t.tag_tp - o.tag_tp,
      tag_fp = t.tag_fp - o.tag_fp, tag_fn = t.tag_fn - o.tag_fn
    FROM (SELECT project_id, kind, checked_user_id, reference_key, week, count(*) AS comparisons, sum(tp) AS tp,
        sum(fp) AS fp, sum(fn) AS fn, sum(mismatched) AS mismatched, sum(low_overlap) AS low_overlap,
        sum(iou_sum) AS iou_sum, sum(iou_sq_sum) AS iou_sq_sum, sum(tag_tp) AS tag_tp, sum(tag_fp) AS tag_fp,
        sum(tag_fn) AS tag_fn
      FROM jsonb_to_recordset(removed) AS x(project_id bigint, kind text, checked_user_id bigint,
        reference_key bigint, week text, tp bigint, fp bigint, fn bigint, mismatched bigint, low_overlap bigint,
        iou_sum double precision, iou_sq_sum double precision, tag_tp bigint, tag_fp bigint, tag_fn bigint)
      GROUP BY project_id, kind, checked_user_id, reference_key, week) AS o
    WHERE t.project_id = o.project_id AND t.kind = o.kind AND t.checked_user_id = o.checked_user_id
      AND t.reference_key = o.reference_key AND t.week = o.week;
  DELETE FROM quality_totals WHERE comparisons = 0 AND (project_id, kind, checked_user_id, reference_key, week) IN (
    SELECT (x->>'project_id')::bigint, x->>'kind', (x->>'checked_user_id')::bigint, (x->>'reference_key')::bigint,
      x->>'week' FROM jsonb_array_elements(removed) AS x);

  INSERT INTO quality_confusion_totals AS t (project_id, kind, checked_user_id, week, reference_label_id,
      checked_label_id, n)
    SELECT (x->>'project_id')::bigint, x->>'kind', (x->>'checked_user_id')::bigint, x->>'week',
      coalesce((e->>0)::bigint, 0), coalesce((e->>1)::bigint, 0), sum((e->>2)::bigint)
    FROM jsonb_array_elements(added) AS x, jsonb_array_elements((x->>'confusion')::jsonb) AS e
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (project_id, kind, checked_user_id, week, reference_label_id, checked_label_id)
      DO UPDATE SET n = t.n + EXCLUDED.n;
  UPDATE quality_confusion_totals AS t SET n = t.n - o.n
    FROM (SELECT (x->>'project_id')::bigint AS project_id, x->>'kind' AS kind,
        (x->>'checked_user_id')::bigint AS checked_user_id, x->>'week' AS week,
        coalesce((e->>0)::bigint, 0) AS reference_label_id, coalesce((e->>1)::bigint, 0) AS checked_label_id,
        sum((e->>2)::bigint) AS n
      FROM jsonb_array_elements(removed) AS x, jsonb_array_elements((x->>'confusion')::jsonb) AS e
      GROUP BY 1, 2, 3, 4, 5, 6) AS o
    WHERE t.project_id = o.project_id AND t.kind = o.kind AND t.checked_user_id = o.checked_user_id
      AND t.week = o.week AND t.reference_label_id = o.reference_label_id AND t.checked_label_id = o.checked_label_id;
  DELETE FROM quality_confusion_totals WHERE n = 0 AND (project_id, kind, checked_user_id, week) IN (
    SELECT (x->>'project_id')::bigint, x->>'kind', (x->>'checked_user_id')::bigint, x->>'week'
    FROM jsonb_array_elements(removed) AS x);
END;
$$;

CREATE FUNCTION quality_results_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM quality_totals_apply((SELECT coalesce(jsonb_agg(to_jsonb(n)), '[]') FROM new_rows n), '[]');
  RETURN NULL;
END;
$$;

CREATE FUNCTION quality_results_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM quality_totals_apply('[]', (SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') FROM old_rows o));
  RETURN NULL;
END;
$$;

CREATE FUNCTION quality_results_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM quality_totals_apply((SELECT coalesce(jsonb_agg(to_jsonb(n)), '[]') FROM new_rows n),
    (SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') FROM old_rows o));
  RETURN NULL;
END;
$$;

CREATE TRIGGER quality_results_totals_insert AFTER INSERT ON quality_results
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quality_results_inserted();
CREATE TRIGGER quality_results_totals_delete AFTER DELETE ON quality_results
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quality_results_deleted();
CREATE TRIGGER quality_results_totals_update AFTER UPDATE ON quality_results
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quality_results_updated();

-- The workflow's numbers beside the quality, per person and week; see sqlite/0016. Row triggers
-- here: each fires for the few rows a statement writes (one submission, one decision, one
-- activity report), and the WHEN clauses skip the bulk assignment events.
CREATE TABLE quality_work_totals (
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id bigint NOT NULL,
  week text COLLATE "C" NOT NULL,
  active_seconds bigint NOT NULL DEFAULT 0,
  images_submitted bigint NOT NULL DEFAULT 0,
  copies_submitted bigint NOT NULL DEFAULT 0,
  decisions bigint NOT NULL DEFAULT 0,
  first_decisions bigint NOT NULL DEFAULT 0,
  first_accepted bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, user_id, week)
);

CREATE FUNCTION quality_week(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(date_trunc('week', substr(t, 1, 10)::timestamp), 'YYYY-MM-DD')
$$;

CREATE FUNCTION quality_work_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quality_work_totals AS t (project_id, user_id, week, images_submitted, decisions, first_decisions,
      first_accepted, rejected)
    VALUES (NEW.project_id, CASE WHEN NEW.kind = 'submitted' THEN NEW.actor_id ELSE NEW.subject_id END,
      quality_week(NEW.created_at), (NEW.kind = 'submitted')::int, (NEW.kind <> 'submitted')::int,
      (NEW.kind <> 'submitted' AND NEW.attempt = 1)::int, (NEW.kind IN ('accepted', 'fixed') AND NEW.attempt = 1)::int,
      (NEW.kind = 'rejected')::int)
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET
      images_submitted = t.images_submitted + EXCLUDED.images_submitted, decisions = t.decisions + EXCLUDED.decisions,
      first_decisions = t.first_decisions + EXCLUDED.first_decisions,
      first_accepted = t.first_accepted + EXCLUDED.first_accepted, rejected = t.rejected + EXCLUDED.rejected;
  RETURN NULL;
END;
$$;

CREATE FUNCTION quality_work_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quality_work_totals AS t (project_id, user_id, week, copies_submitted)
    SELECT i.project_id, NEW.user_id, quality_week(coalesce(NEW.submitted_at, NEW.updated_at)), 1
    FROM images AS i WHERE i.id = NEW.image_id
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET copies_submitted = t.copies_submitted + 1;
  RETURN NULL;
END;
$$;

CREATE FUNCTION quality_work_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quality_work_totals AS t (project_id, user_id, week, active_seconds)
    VALUES (NEW.project_id, NEW.user_id, quality_week(NEW.day),
      NEW.seconds - CASE WHEN TG_OP = 'UPDATE' THEN OLD.seconds ELSE 0 END)
    ON CONFLICT (project_id, user_id, week) DO UPDATE SET active_seconds = t.active_seconds + EXCLUDED.active_seconds;
  RETURN NULL;
END;
$$;

CREATE TRIGGER quality_work_events AFTER INSERT ON review_events FOR EACH ROW
  WHEN ((NEW.kind = 'submitted' AND NEW.attempt = 1 AND NEW.actor_id IS NOT NULL)
    OR (NEW.kind IN ('accepted', 'fixed', 'rejected') AND NEW.subject_id IS NOT NULL))
  EXECUTE FUNCTION quality_work_event();
CREATE TRIGGER quality_work_copies_insert AFTER INSERT ON image_copies FOR EACH ROW
  WHEN (NEW.state = 'submitted') EXECUTE FUNCTION quality_work_copy();
CREATE TRIGGER quality_work_copies_submit AFTER UPDATE OF state ON image_copies FOR EACH ROW
  WHEN (OLD.state <> 'submitted' AND NEW.state = 'submitted') EXECUTE FUNCTION quality_work_copy();
CREATE TRIGGER quality_work_activity_insert AFTER INSERT ON editor_activity FOR EACH ROW
  EXECUTE FUNCTION quality_work_activity();
CREATE TRIGGER quality_work_activity_update AFTER UPDATE OF seconds ON editor_activity FOR EACH ROW
  EXECUTE FUNCTION quality_work_activity();

INSERT INTO quality_work_totals (project_id, user_id, week, images_submitted, decisions, first_decisions,
    first_accepted, rejected)
  SELECT project_id, CASE WHEN kind = 'submitted' THEN actor_id ELSE subject_id END, quality_week(created_at),
    count(*) FILTER (WHERE kind = 'submitted'), count(*) FILTER (WHERE kind <> 'submitted'),
    count(*) FILTER (WHERE kind <> 'submitted' AND attempt = 1),
    count(*) FILTER (WHERE kind IN ('accepted', 'fixed') AND attempt = 1), count(*) FILTER (WHERE kind = 'rejected')
  FROM review_events
  WHERE (kind = 'submitted' AND attempt = 1 AND actor_id IS NOT NULL)
    OR (kind IN ('accepted', 'fixed', 'rejected') AND subject_id IS NOT NULL)
  GROUP BY 1, 2, 3;
INSERT INTO quality_work_totals AS t (project_id, user_id, week, active_seconds)
  SELECT project_id, user_id, quality_week(day), sum(seconds) FROM editor_activity GROUP BY 1, 2, 3
  ON CONFLICT (project_id, user_id, week) DO UPDATE SET active_seconds = t.active_seconds + EXCLUDED.active_seconds;
INSERT INTO quality_work_totals AS t (project_id, user_id, week, copies_submitted)
  SELECT i.project_id, c.user_id, quality_week(coalesce(c.submitted_at, c.updated_at)), count(*)
  FROM image_copies AS c JOIN images AS i ON i.id = c.image_id WHERE c.state = 'submitted'
  GROUP BY 1, 2, 3
  ON CONFLICT (project_id, user_id, week) DO UPDATE SET copies_submitted = t.copies_submitted + EXCLUDED.copies_submitted;
