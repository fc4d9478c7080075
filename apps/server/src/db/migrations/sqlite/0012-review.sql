-- Quality control, part 1 (issue 15): the reviewer role, work distribution, submission and review,
-- issues pinned on images and shapes, the history of it all, focused editor time.
-- docs/quality-workflow.md explains the workflow; packages/schema/src/review.ts its vocabulary.

-- A fourth role. SQLite cannot change a CHECK in place: the table is rebuilt (migrate() runs every
-- migration with foreign keys off and checks them before committing, so the rows that point at
-- users are kept as they are).
CREATE TABLE users_next (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'reviewer', 'annotator')),
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO users_next (id, email, name, role, password_hash, active, created_at, updated_at)
  SELECT id, email, name, role, password_hash, active, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_next RENAME TO users;

-- The project's review policy and work queue (ReviewSettings).
ALTER TABLE projects ADD COLUMN review_mode TEXT NOT NULL DEFAULT 'off'
  CHECK (review_mode IN ('off', 'sample', 'all'));
ALTER TABLE projects ADD COLUMN review_sample_percent REAL NOT NULL DEFAULT 10;
ALTER TABLE projects ADD COLUMN review_seed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN work_queue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN lease_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE projects ADD COLUMN return_on_edit INTEGER NOT NULL DEFAULT 1;

-- One image's place in the workflow (ImageWork). Kept on the image row: the review queue and the
-- library filter and page on it with the same keyset indexes as the other orders.
ALTER TABLE images ADD COLUMN assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE images ADD COLUMN assigned_via TEXT CHECK (assigned_via IN ('manager', 'queue', 'rework'));
ALTER TABLE images ADD COLUMN lease_until TEXT;
ALTER TABLE images ADD COLUMN review_state TEXT NOT NULL DEFAULT 'none'
  CHECK (review_state IN ('none', 'pending', 'accepted', 'rejected', 'unreviewed'));
ALTER TABLE images ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN submitted_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE images ADD COLUMN submitted_at TEXT;
ALTER TABLE images ADD COLUMN submitted_revision INTEGER;
ALTER TABLE images ADD COLUMN decision TEXT CHECK (decision IN ('accepted', 'fixed', 'rejected'));
ALTER TABLE images ADD COLUMN decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE images ADD COLUMN decided_at TEXT;
ALTER TABLE images ADD COLUMN decided_revision INTEGER;
-- Issues not yet resolved (open or fixed), kept exact by the triggers below.
ALTER TABLE images ADD COLUMN unresolved_issues INTEGER NOT NULL DEFAULT 0;

-- The review queue: one state, oldest submission first (then id, the tie-break).
CREATE INDEX images_project_review ON images(project_id, review_state, submitted_at, id);
-- An annotator's own work, and the queue's search for a free image.
CREATE INDEX images_project_assignee ON images(project_id, assignee_id, name_key, id);
CREATE INDEX images_submitted_by ON images(project_id, submitted_by, review_state);

CREATE TABLE review_issues (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  -- the shape a shape anchor follows (by its client id, stable through edits); NULL otherwise
  annotation_uid TEXT,
  anchor TEXT NOT NULL,          -- IssueAnchor as JSON
  category TEXT NOT NULL
    CHECK (category IN ('missing', 'extra', 'wrong_label', 'loose', 'tight', 'wrong_tag', 'other')),
  severity TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fixed', 'resolved')),
  attempt INTEGER NOT NULL,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX review_issues_image ON review_issues(image_id, id);
CREATE INDEX review_issues_project ON review_issues(project_id, state, id);
CREATE INDEX review_issues_assignee ON review_issues(project_id, assignee_id, state, id);

CREATE TABLE review_comments (
  id INTEGER PRIMARY KEY,
  issue_id INTEGER NOT NULL REFERENCES review_issues(id) ON DELETE CASCADE,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX review_comments_issue ON review_comments(issue_id, id);

CREATE TRIGGER review_issues_count_insert AFTER INSERT ON review_issues WHEN NEW.state <> 'resolved' BEGIN
  UPDATE images SET unresolved_issues = unresolved_issues + 1 WHERE id = NEW.image_id;
END;
CREATE TRIGGER review_issues_count_delete AFTER DELETE ON review_issues WHEN OLD.state <> 'resolved' BEGIN
  UPDATE images SET unresolved_issues = unresolved_issues - 1 WHERE id = OLD.image_id;
END;
CREATE TRIGGER review_issues_count_update AFTER UPDATE OF state ON review_issues
  WHEN (OLD.state = 'resolved') <> (NEW.state = 'resolved') BEGIN
  UPDATE images SET unresolved_issues = unresolved_issues + CASE WHEN NEW.state = 'resolved' THEN -1 ELSE 1 END
    WHERE id = NEW.image_id;
END;

-- The shapes and tags as they were at the last decision: re-review shows what changed since.
-- WITHOUT ROWID: the image's id is the key, not a new row id of its own (as in PostgreSQL).
CREATE TABLE review_baselines (
  image_id INTEGER NOT NULL PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  shapes TEXT NOT NULL,          -- [{id, labelId, geometry}] as JSON
  tags TEXT NOT NULL,            -- [labelId] as JSON
  created_at TEXT NOT NULL
) WITHOUT ROWID;

-- Every step of the workflow, in order: the image's timeline and the annotators' numbers.
CREATE TABLE review_events (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,            -- EventKind
  actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  subject_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  attempt INTEGER NOT NULL,
  revision INTEGER,
  issue_id INTEGER,
  detail TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE INDEX review_events_image ON review_events(image_id, id);
CREATE INDEX review_events_subject ON review_events(project_id, subject_id, kind);

-- Focused editor seconds per person, image and UTC day.
CREATE TABLE editor_activity (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  seconds INTEGER NOT NULL,
  PRIMARY KEY (user_id, image_id, day)
) WITHOUT ROWID;
CREATE INDEX editor_activity_project ON editor_activity(project_id, user_id);
