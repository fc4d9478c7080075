-- Reviewers are measured too (issue 16): a reproducible sample of accepted images is audited by a
-- reviewer other than the one who accepted it; the verdict upholds or overturns the acceptance.
-- Reviewer precision is upheld / audited. docs/quality-workflow.md, "Audits".
CREATE TABLE review_audits (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  -- the decision audited: who made it, which, when, on which revision
  reviewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'fixed')),
  decided_at TEXT NOT NULL,
  decided_revision INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'overturned')),
  auditor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reasons TEXT NOT NULL DEFAULT '[]',   -- [RejectReason] as JSON
  comment TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  audited_at TEXT
);
-- The audit queue (one state, oldest first) and each reviewer's numbers.
CREATE INDEX review_audits_queue ON review_audits(project_id, state, id);
CREATE INDEX review_audits_reviewer ON review_audits(project_id, reviewer_id, state);
-- At most one open audit per image: a later decision replaces the one waiting.
CREATE UNIQUE INDEX review_audits_open ON review_audits(image_id) WHERE state = 'open';
