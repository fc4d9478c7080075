-- The library's orders (natural file name, status, annotations, last edited) walked with keyset
-- paging, and the editor's previous/next in the same orders.
--
-- SQLite has no natural collation, so each image keeps its natural sort key (computed by
-- naturalSortKey in @labelbench/schema when a name is written; here for the existing rows, through
-- the natural_sort_key() function `migrate` registers). Compared byte by byte it gives "img2"
-- before "img10", case and accents folded.
ALTER TABLE images ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE images SET name_key = natural_sort_key(file_name);

-- Status in workflow order rather than alphabetical; computed by SQLite from `status` itself, so
-- no write path can let it drift.
ALTER TABLE images ADD COLUMN status_rank INTEGER GENERATED ALWAYS AS (
  CASE status WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'done' THEN 2 ELSE 3 END
) VIRTUAL;

-- One index per order, each ending in id (the tie-break), so a page is a range scan of its index
-- in either direction and never a sort of the project's rows. Ties within a status or an
-- annotation count go by name, and so do ties in time (an upload or an import writes its rows in
-- one millisecond; SQLite seeks a row value on the named columns only, id being the rowid, so a
-- cursor deep in a long run of equal times would otherwise read the run from its start). The
-- status one also serves a status filter in name order.
CREATE INDEX images_project_name ON images(project_id, name_key, id);
CREATE INDEX images_project_status_name ON images(project_id, status_rank, name_key, id);
CREATE INDEX images_project_annotations ON images(project_id, annotation_count, name_key, id);
CREATE INDEX images_project_edited ON images(project_id, updated_at, name_key, id);
