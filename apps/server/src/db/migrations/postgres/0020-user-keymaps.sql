-- Each user's own keys (issue 18): see the SQLite migration of the same number.
CREATE TABLE user_keymaps (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  bindings text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL
);
