-- The two foreign keys of annotations, checked once per statement instead of once per row.
--
-- A foreign key's check is a row trigger: one `SELECT 1 FROM images WHERE id = $1 FOR KEY SHARE`
-- (and one of labels) per annotation written. Writing an import's million annotations made two
-- million of them, ~70 % of the time the COPY took (docs/benchmarks.md, "The 1M COCO import").
-- Statement triggers over the statement's transition table do the same work with one join: they
-- lock the referenced images and labels (FOR KEY SHARE, as the foreign key's check does, so a
-- deletion waits for this transaction) and refuse the statement when one is missing, with the
-- foreign key's error code and constraint name. The references themselves are unchanged:
--
--   annotations(image_id) references images(id) on delete cascade
--   annotations(label_id) references labels(id)                    (no action: delete them first)
--
-- The triggers' comments state them (schema-shape.ts reads them as foreign keys, so the drift test
-- and the verified move see the same references as SQLite's), and db/annotation-references.test.ts
-- checks that the triggers hold them. SQLite keeps its foreign keys: its import switches them off
-- per step instead (import-repo.ts).
ALTER TABLE annotations DROP CONSTRAINT annotations_image_id_fkey;
ALTER TABLE annotations DROP CONSTRAINT annotations_label_id_fkey;

CREATE FUNCTION annotations_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  -- An import's publishing step writes only images and labels it has just locked KEY SHARE and
  -- joined against, and says so for its own transaction (SET LOCAL), as SQLite's switches its
  -- foreign keys off per step: the check would repeat that join for every row it COPYs.
  IF current_setting('labelbench.references_checked', true) = 'on' THEN
    RETURN NULL;
  END IF;
  -- Locks first, then the check in a statement of its own: under READ COMMITTED it sees a
  -- deletion that committed while the lock waited for it.
  PERFORM 1 FROM images WHERE id IN (SELECT DISTINCT image_id FROM written) ORDER BY id FOR KEY SHARE;
  PERFORM 1 FROM labels WHERE id IN (SELECT DISTINCT label_id FROM written) ORDER BY id FOR KEY SHARE;
  SELECT w.image_id INTO missing FROM written w
    WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.id = w.image_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "annotations" violates foreign key constraint "annotations_image_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'annotations_image_id_fkey', TABLE = 'annotations',
        DETAIL = format('Key (image_id)=(%s) is not present in table "images".', missing);
  END IF;
  SELECT w.label_id INTO missing FROM written w
    WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.id = w.label_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "annotations" violates foreign key constraint "annotations_label_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'annotations_label_id_fkey', TABLE = 'annotations',
        DETAIL = format('Key (label_id)=(%s) is not present in table "labels".', missing);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER annotations_references_insert AFTER INSERT ON annotations
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION annotations_check_references();
CREATE TRIGGER annotations_references_update AFTER UPDATE ON annotations
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION annotations_check_references();
COMMENT ON TRIGGER annotations_references_insert ON annotations IS
  'foreign key (image_id) references images(id) on delete cascade; foreign key (label_id) references labels(id)';
COMMENT ON TRIGGER annotations_references_update ON annotations IS
  'foreign key (image_id) references images(id) on delete cascade; foreign key (label_id) references labels(id)';

CREATE FUNCTION images_delete_annotations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM annotations WHERE image_id IN (SELECT id FROM deleted);
  RETURN NULL;
END $$;
CREATE TRIGGER images_annotations_cascade AFTER DELETE ON images
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION images_delete_annotations();
COMMENT ON TRIGGER images_annotations_cascade ON images IS
  'foreign key of annotations (image_id): on delete cascade';

CREATE FUNCTION labels_refuse_used_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  used bigint;
BEGIN
  SELECT a.label_id INTO used FROM annotations a WHERE a.label_id IN (SELECT id FROM deleted) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'update or delete on table "labels" violates foreign key constraint "annotations_label_id_fkey" on table "annotations"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'annotations_label_id_fkey', TABLE = 'labels',
        DETAIL = format('Key (id)=(%s) is still referenced from table "annotations".', used);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER labels_annotations_restrict AFTER DELETE ON labels
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION labels_refuse_used_delete();
COMMENT ON TRIGGER labels_annotations_restrict ON labels IS
  'foreign key of annotations (label_id): no action';
