-- A tag prediction's accept adds the tag to the image only when the image did not have it; reopening
-- the prediction (undo) must take off what the accept added and nothing else. tag_added is 1 when
-- this prediction's accept added its tag (0 otherwise, and for shape predictions).
ALTER TABLE predictions ADD COLUMN tag_added INTEGER NOT NULL DEFAULT 0;
