-- The reference rule for content-addressed files (originals, thumbnails, renditions), shared by
-- every project holding the same bytes and by several server processes on one database:
--   stored_files   one row per sha256 whose files may be in storage; `deleting_by` names the
--                  server instance unlinking them (set in the transaction that proved no image
--                  row and no live claim references the sha)
--   file_claims    a reference that is not an image row yet: an upload between putting the bytes
--                  and committing its row, a rendition being written. A claim is refused while
--                  the sha is being deleted, so "last reference gone" and "new reference added"
--                  are decided by one write transaction each, on the same row.
--   server_instances  heartbeats: claims and deletions of an instance that stopped beating are
--                  crash leftovers, reconciled by the others and at start.
CREATE TABLE stored_files (
  sha256 TEXT PRIMARY KEY,
  deleting_by TEXT,
  deleting_since INTEGER
);
INSERT INTO stored_files (sha256) SELECT DISTINCT sha256 FROM images;

CREATE TABLE file_claims (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  owner TEXT NOT NULL,
  instance TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX file_claims_sha ON file_claims(sha256);
CREATE INDEX file_claims_owner ON file_claims(owner);

CREATE TABLE server_instances (
  id TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
);
