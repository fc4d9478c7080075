-- The tile-pyramid queue, shared by every server process on the database: one row per sha256
-- waiting for a pyramid (every image holding those bytes shares it). A process takes a job by
-- writing its instance id and a lease end (ms since the epoch) and renews the lease while it
-- works; a job whose lease ran out (its process died) is taken by another process. The row goes
-- when the pyramid is ready or failed, or when no image holds the bytes any more.
CREATE TABLE tile_jobs (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  leased_by TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tile_jobs_sha ON tile_jobs(sha256);

-- What was 'pending' before this migration, oldest upload first (the order jobs are taken in).
INSERT INTO tile_jobs (sha256, created_at)
SELECT sha256, 0 FROM images WHERE tile_state = 'pending' GROUP BY sha256 ORDER BY min(id);
