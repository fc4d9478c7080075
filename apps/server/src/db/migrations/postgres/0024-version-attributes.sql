-- Dataset versions (0018) freeze what an export reads; since 0023 that includes the labels'
-- attribute definitions and the shapes' attribute values, so a version exports them again
-- byte for byte. Versions frozen before this migration had no attributes to keep.
ALTER TABLE version_labels ADD COLUMN attributes text COLLATE "C" NOT NULL DEFAULT '[]';
ALTER TABLE version_annotations ADD COLUMN attributes text COLLATE "C";
