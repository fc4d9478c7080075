-- Attributes per label and tag-only or shape-only labels (issue 18).
-- A label's attribute definitions are one JSON array (packages/schema attributes.ts): they are read
-- and written whole with the label, never queried one by one, and a label has a few of them.
-- A shape's values are one JSON object, NULL when it has none, so the rows written before this
-- migration (and every shape of a label without attributes) read and export exactly as before.
-- `scope`: where the label applies: 'both' (the default: existing labels unchanged), 'shapes', 'tags'.
ALTER TABLE labels ADD COLUMN attributes text COLLATE "C" NOT NULL DEFAULT '[]';
ALTER TABLE labels ADD COLUMN scope text COLLATE "C" NOT NULL DEFAULT 'both' CHECK (scope IN ('both', 'shapes', 'tags'));
ALTER TABLE annotations ADD COLUMN attributes text COLLATE "C";
