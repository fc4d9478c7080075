-- Each user's own keys (issue 18): their changes to the editor's default keys, as JSON
-- {commandId: ["Mod+KeyZ", ...]} in physical key codes (packages/schema/src/keymap.ts). One row per
-- user who changed anything; no row means the defaults. Goes with the user.
CREATE TABLE user_keymaps (
  user_id INTEGER NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  bindings TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID; -- user_id is a foreign key, not an id SQLite assigns
