-- Keyset paging (`WHERE project_id = ? AND id > ? ORDER BY id`) and prev/next navigation walk this
-- index in id order. Without it SQLite sorted all of a project's rows for every page.
CREATE INDEX images_project_id ON images(project_id, id);
