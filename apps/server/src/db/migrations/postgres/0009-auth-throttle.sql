-- Failed sign-in throttling (modules/auth/throttle.ts): see sqlite/0009-auth-throttle.sql.
CREATE TABLE auth_failures (
  subject text COLLATE "C" NOT NULL,     -- 'login:<email>' or 'password:<user id>'
  client text COLLATE "C" NOT NULL,      -- the client's address (req.ip), or '*' for every client
  failures bigint NOT NULL,
  last_at bigint NOT NULL,               -- ms since the epoch of the latest counted attempt
  PRIMARY KEY (subject, client)
);
CREATE INDEX auth_failures_age ON auth_failures(last_at);

CREATE TABLE auth_address_budget (
  address text COLLATE "C" PRIMARY KEY,
  tokens double precision NOT NULL,
  at bigint NOT NULL                     -- ms since the epoch when `tokens` was last computed
);
