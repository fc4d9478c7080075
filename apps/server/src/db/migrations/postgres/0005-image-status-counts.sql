-- The library's counts per status, kept exact at every write by triggers (see sqlite/0005): the
-- same three triggers, each calling one PL/pgSQL function.
CREATE TABLE image_status_counts (
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  status text COLLATE "C" NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (project_id, status)
);

INSERT INTO image_status_counts (project_id, status, n)
  SELECT project_id, status, COUNT(*) FROM images GROUP BY project_id, status;

CREATE FUNCTION image_status_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE image_status_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO image_status_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
      ON CONFLICT (project_id, status) DO UPDATE SET n = image_status_counts.n + 1;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER image_status_counts_insert AFTER INSERT ON images
  FOR EACH ROW EXECUTE FUNCTION image_status_counts_follow();

CREATE TRIGGER image_status_counts_delete AFTER DELETE ON images
  FOR EACH ROW EXECUTE FUNCTION image_status_counts_follow();

CREATE TRIGGER image_status_counts_update AFTER UPDATE OF status, project_id ON images
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.project_id IS DISTINCT FROM NEW.project_id)
  EXECUTE FUNCTION image_status_counts_follow();
