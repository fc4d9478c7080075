-- A dataset version (0018) freezes what an export reads; the classification exports (issue 18:
-- classification-csv, imagenet) list the labels whose scope includes tags, so a version keeps
-- each label's scope (0023) as it was when frozen. Versions frozen before this migration take
-- their labels' scope of today (a label deleted since stays 'both').
ALTER TABLE version_labels ADD COLUMN scope text COLLATE "C" NOT NULL DEFAULT 'both' CHECK (scope IN ('both', 'shapes', 'tags'));
UPDATE version_labels SET scope = l.scope FROM labels l WHERE l.id = version_labels.label_id;
