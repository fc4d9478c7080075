-- PostgreSQL checks the two foreign keys of annotations once per statement from this version on
-- (postgres/0029-annotation-references-per-statement.sql: its row-by-row checks were most of the
-- time an import's COPY took). SQLite keeps its foreign keys as they are: they cost it little, and
-- its import switches them off per step (import-repo.ts). Nothing to change here; the number keeps
-- the two dialects' versions in step.
SELECT 1;
