-- Model servers (issue 17): Label Studio ML backends connected to a project, the background jobs
-- that send them images to predict, the scoped keys they download those images with, and the
-- training webhooks sent on annotation saves. docs/model-backends.md.
CREATE TABLE model_backends (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  auth_method TEXT NOT NULL DEFAULT 'none' CHECK (auth_method IN ('none', 'basic', 'token')),
  basic_user TEXT,
  -- The password or token sent to the backend (it must be sent as is, so it cannot be a digest);
  -- the API never returns it, only its last 4 characters.
  secret TEXT,
  max_concurrency INTEGER NOT NULL DEFAULT 2,
  timeout_ms INTEGER NOT NULL DEFAULT 60000,
  batch_size INTEGER NOT NULL DEFAULT 8,
  extra_params TEXT NOT NULL DEFAULT '{}',  -- JSON object merged into /predict's params
  is_interactive INTEGER NOT NULL DEFAULT 0,
  created_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX model_backends_project ON model_backends(project_id, id);

-- A prediction job: the images chosen when it was queued (model_backend_job_images), taken by one
-- process at a time under a lease (ms since the epoch) it renews while it runs; a job whose
-- process died is taken over when the lease runs out, and goes on with the images still pending.
CREATE TABLE model_backend_jobs (
  id INTEGER PRIMARY KEY,
  backend_id INTEGER NOT NULL REFERENCES model_backends(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  run_id INTEGER,                       -- the prediction run written at the end (no FK: runs may go)
  model_version TEXT,
  error TEXT,
  problems TEXT NOT NULL DEFAULT '[]',  -- [BackendJobProblem] as JSON, the first 1000
  problem_count INTEGER NOT NULL DEFAULT 0,
  -- The public base URL images are fetched from, when LABELBENCH_PUBLIC_URL is not set: the
  -- address the job was started through.
  public_url TEXT NOT NULL,
  leased_by TEXT,
  lease_until INTEGER,
  created_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX model_backend_jobs_backend ON model_backend_jobs(backend_id, id);
CREATE INDEX model_backend_jobs_open ON model_backend_jobs(state, id) WHERE state IN ('queued', 'running');

-- Each image of a job, and what the backend answered for it: the converted predictions are kept
-- here until the job ends, when they are written as one run in one transaction.
CREATE TABLE model_backend_job_images (
  job_id INTEGER NOT NULL REFERENCES model_backend_jobs(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  predictions TEXT,                     -- JSON [{labelId, geometry, score}] once done
  PRIMARY KEY (job_id, image_id)
) WITHOUT ROWID;

-- Keys a backend downloads image files with (`Authorization: Token <key>`): they read only this
-- project's image files, act for the manager who started the job, and expire. Stored as sha256.
CREATE TABLE model_backend_keys (
  id INTEGER PRIMARY KEY,
  backend_id INTEGER NOT NULL REFERENCES model_backends(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_used_at TEXT                  -- written on each download: "did the backend fetch the image?"
);
CREATE INDEX model_backend_keys_backend ON model_backend_keys(backend_id);

-- The training webhooks outbox: written after an annotation save, delivered in the background
-- (retried with a growing pause), so a slow or dead backend never slows or fails a save.
CREATE TABLE model_backend_webhooks (
  id INTEGER PRIMARY KEY,
  backend_id INTEGER NOT NULL REFERENCES model_backends(id) ON DELETE CASCADE,
  image_id INTEGER,                     -- no FK: ANNOTATION_DELETED outlives its image
  action TEXT NOT NULL CHECK (action IN ('ANNOTATION_CREATED', 'ANNOTATION_UPDATED', 'ANNOTATION_DELETED', 'START_TRAINING')),
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  leased_by TEXT,
  lease_until INTEGER,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX model_backend_webhooks_backend ON model_backend_webhooks(backend_id, id);
CREATE INDEX model_backend_webhooks_due ON model_backend_webhooks(next_attempt_at) WHERE state = 'pending';
CREATE INDEX model_backend_webhooks_image ON model_backend_webhooks(backend_id, image_id);
