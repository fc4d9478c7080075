-- Failed sign-in throttling (modules/auth/throttle.ts), kept in the database so that parallel
-- requests and several server processes count the same attempts.

-- Failures per account x client: an attempt is counted here before its password is checked, and a
-- success deletes the row. Past a few failures the next attempt must wait, twice as long each time.
CREATE TABLE auth_failures (
  subject TEXT NOT NULL,     -- what is being guessed: 'login:<email>' or 'password:<user id>'
  client TEXT NOT NULL,      -- the client's address (req.ip), or '*' for every client
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL,  -- ms since the epoch of the latest counted attempt
  PRIMARY KEY (subject, client)
) WITHOUT ROWID;
CREATE INDEX auth_failures_age ON auth_failures(last_at);

-- A generous budget of failed attempts per client address (a token bucket that refills): many
-- accounts guessed from one address slow down, but an office behind one NAT is never shut out.
CREATE TABLE auth_address_budget (
  address TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at INTEGER NOT NULL        -- ms since the epoch when `tokens` was last computed
) WITHOUT ROWID;
