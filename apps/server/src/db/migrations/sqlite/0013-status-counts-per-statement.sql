-- PostgreSQL's status counters became statement-level triggers in this migration (see
-- postgres/0013): there a row trigger's upsert of one counter row grows with the square of the
-- images a statement writes. SQLite keeps its row triggers, whose upsert costs microseconds; this
-- number is here so both dialects keep the same migration numbers.
SELECT 1;
