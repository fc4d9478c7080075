-- The library's orders walked with keyset paging: see sqlite/0010-library-order.sql.
--
-- name_key is the natural sort key naturalSortKey (@labelbench/schema) computes when a name is
-- written; compared byte by byte (COLLATE "C", as SQLite's BINARY). SQLite backfills existing rows
-- through an application function; PostgreSQL support arrived with all ten migrations, so a
-- PostgreSQL database reaches this one only while still empty (rows are copied in afterwards, with
-- their keys). Should it have images, it stops here rather than leave their keys empty.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM images) THEN
    RAISE EXCEPTION 'migration 0010 cannot compute natural sort keys for existing images in PostgreSQL; migrate this database while it is empty, then copy the rows in';
  END IF;
END;
$$;
ALTER TABLE images ADD COLUMN name_key text COLLATE "C" NOT NULL DEFAULT '';

-- Status in workflow order, computed from `status` itself (STORED: PostgreSQL 15 has no virtual
-- generated columns; SQLite's is VIRTUAL, the values are the same).
ALTER TABLE images ADD COLUMN status_rank bigint GENERATED ALWAYS AS (
  CASE status WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'done' THEN 2 ELSE 3 END
) STORED;

-- One index per order, each ending in id (the tie-break), so a page is a range scan of its index.
CREATE INDEX images_project_name ON images(project_id, name_key, id);
CREATE INDEX images_project_status_name ON images(project_id, status_rank, name_key, id);
CREATE INDEX images_project_annotations ON images(project_id, annotation_count, name_key, id);
CREATE INDEX images_project_edited ON images(project_id, updated_at, name_key, id);
