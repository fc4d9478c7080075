import type { Generated, GeneratedAlways } from "kysely";

/**
 * The tables the migrations build, as one runtime list from which Kysely's `Database` type is
 * derived: the schema-drift test checks this list against the migrated SQLite and PostgreSQL
 * schemas, so the types cannot drift from either.
 *
 * Every column is read as the same JavaScript value from both dialects:
 *   - integers (ids, counts, sizes, positions, booleans, ms-since-epoch times) are SQLite INTEGER and
 *     PostgreSQL `bigint`, read as `number` (connect.ts parses int8 and refuses values past 2^53);
 *   - booleans stay integers 0/1 on both (`active`, `annotators_can_export`): a PostgreSQL boolean
 *     would come back as `true`/`false` and SQLite's as 0/1;
 *   - timestamps are ISO-8601 UTC text on both (`2026-01-01T00:00:00.000Z`), which sorts as time;
 *   - JSON documents (`geometry`, `shape_types`) are text on both, not jsonb, so the bytes written
 *     are the bytes read;
 *   - text compares byte by byte on both: PostgreSQL columns are declared COLLATE "C", SQLite's
 *     default is BINARY, so ORDER BY and keyset cursors give the same order.
 *
 * Kinds: `id` an auto-assigned primary key; `int`/`real`/`text` required; `?` nullable (NULL when
 * omitted); `=` has a default (may be omitted on insert); `computed` generated from other columns.
 */
export const TABLES = {
  schema_migrations: { version: "id", name: "text", applied_at: "text" },
  projects: {
    id: "id",
    name: "text",
    description: "text=",
    created_at: "text",
    updated_at: "text",
    annotators_can_export: "int=",
    review_mode: "text=",
    review_sample_percent: "real=",
    review_seed: "int=",
    work_queue: "int=",
    lease_minutes: "int=",
    return_on_edit: "int=",
  },
  labels: {
    id: "id",
    project_id: "int",
    name: "text",
    name_key: "text",
    color: "text",
    hotkey: "text?",
    position: "int",
    shape_types: "text",
  },
  images: {
    id: "id",
    project_id: "int",
    sha256: "text",
    file_name: "text",
    width: "int",
    height: "int",
    format: "text",
    byte_size: "int",
    status: "text=",
    annotation_count: "int=",
    revision: "int=",
    tile_state: "text=",
    tile_progress: "real=",
    tile_size: "int?",
    tile_levels: "int?",
    created_at: "text",
    updated_at: "text",
    status_updated_by: "text?",
    channels: "int?",
    name_key: "text=",
    status_rank: "computed",
    assignee_id: "int?",
    assigned_via: "text?",
    lease_until: "text?",
    review_state: "text=",
    attempt: "int=",
    submitted_by: "int?",
    submitted_at: "text?",
    submitted_revision: "int?",
    decision: "text?",
    decided_by: "int?",
    decided_at: "text?",
    decided_revision: "int?",
    unresolved_issues: "int=",
    gold: "text?",
  },
  annotations: {
    id: "id",
    image_id: "int",
    uid: "text",
    label_id: "int",
    geometry: "text",
    position: "int",
    created_by: "text?",
    updated_by: "text?",
    created_at: "text",
    updated_at: "text",
  },
  image_tags: { image_id: "int", label_id: "int" },
  users: {
    id: "id",
    email: "text",
    name: "text",
    role: "text",
    password_hash: "text",
    active: "int=",
    created_at: "text",
    updated_at: "text",
  },
  sessions: { id_hash: "text", user_id: "int", created_at: "text", expires_at: "text" },
  user_keymaps: { user_id: "int", bindings: "text", updated_at: "text" },
  api_tokens: {
    id: "id",
    user_id: "int",
    name: "text",
    token_hash: "text",
    prefix: "text",
    scope: "text",
    created_at: "text",
    expires_at: "text?",
    last_used_at: "text?",
    revoked_at: "text?",
  },
  project_members: { project_id: "int", user_id: "int", added_at: "text" },
  image_status_counts: { project_id: "int", status: "text", n: "int" },
  stored_files: { sha256: "text", deleting_by: "text?", deleting_since: "int?" },
  file_claims: { id: "id", sha256: "text", owner: "text", instance: "text", created_at: "int" },
  server_instances: { id: "text", seen_at: "int" },
  dataset_imports: {
    id: "id",
    project_id: "int",
    stage_file: "text",
    existing: "text",
    actor: "text?",
    started_at: "text",
    images: "int",
    published_through: "int=",
  },
  dataset_import_labels: { import_id: "int", ref: "int", label_id: "int" },
  auth_failures: { subject: "text", client: "text", failures: "int", last_at: "int" },
  auth_address_budget: { address: "text", tokens: "real", at: "int" },
  tile_jobs: { id: "id", sha256: "text", leased_by: "text?", lease_until: "int?", created_at: "int" },
  review_issues: {
    id: "id",
    project_id: "int",
    image_id: "int",
    annotation_uid: "text?",
    anchor: "text",
    category: "text",
    severity: "text",
    state: "text=",
    attempt: "int",
    author_id: "int?",
    assignee_id: "int?",
    created_at: "text",
    updated_at: "text",
  },
  review_comments: { id: "id", issue_id: "int", author_id: "int?", body: "text", created_at: "text" },
  review_baselines: {
    image_id: "int",
    revision: "int",
    attempt: "int",
    shapes: "text",
    tags: "text",
    created_at: "text",
  },
  review_events: {
    id: "id",
    project_id: "int",
    image_id: "int",
    kind: "text",
    actor_id: "int?",
    subject_id: "int?",
    attempt: "int",
    revision: "int?",
    issue_id: "int?",
    detail: "text=",
    created_at: "text",
  },
  editor_activity: { project_id: "int", user_id: "int", image_id: "int", day: "text", seconds: "int" },
  review_audits: {
    id: "id",
    project_id: "int",
    image_id: "int",
    reviewer_id: "int?",
    decision: "text",
    decided_at: "text",
    decided_revision: "int",
    state: "text=",
    auditor_id: "int?",
    reasons: "text=",
    comment: "text=",
    created_at: "text",
    audited_at: "text?",
  },
  image_copies: {
    id: "id",
    image_id: "int",
    user_id: "int",
    purpose: "text",
    revision: "int=",
    shapes: "text",
    tags: "text",
    state: "text=",
    created_at: "text",
    updated_at: "text",
    submitted_at: "text?",
  },
  project_quality: {
    project_id: "int",
    honeypot_percent: "real=",
    warmup_images: "int=",
    qualification_images: "int=",
    qualification_pass: "real=",
    overlap: "int=",
    overlap_percent: "real=",
    consensus_quorum: "real=",
    audit_percent: "real=",
    match_preset: "text=",
    updated_at: "text",
  },
  quality_results: {
    id: "id",
    project_id: "int",
    image_id: "int",
    kind: "text",
    checked_user_id: "int",
    reference_key: "int",
    tp: "int",
    fp: "int",
    fn: "int",
    mismatched: "int",
    low_overlap: "int",
    iou_sum: "real",
    tag_tp: "int",
    tag_fp: "int",
    tag_fn: "int",
    confusion: "text",
    checked_at: "text?",
    computed_at: "text",
    week: "text=",
    iou_sq_sum: "real=",
  },
  quality_totals: {
    project_id: "int",
    kind: "text",
    checked_user_id: "int",
    reference_key: "int",
    week: "text",
    comparisons: "int",
    tp: "int",
    fp: "int",
    fn: "int",
    mismatched: "int",
    low_overlap: "int",
    iou_sum: "real",
    iou_sq_sum: "real",
    tag_tp: "int",
    tag_fp: "int",
    tag_fn: "int",
  },
  quality_work_totals: {
    project_id: "int",
    user_id: "int",
    week: "text",
    active_seconds: "int=",
    images_submitted: "int=",
    copies_submitted: "int=",
    decisions: "int=",
    first_decisions: "int=",
    first_accepted: "int=",
    rejected: "int=",
  },
  quality_confusion_totals: {
    project_id: "int",
    kind: "text",
    checked_user_id: "int",
    week: "text",
    reference_label_id: "int",
    checked_label_id: "int",
    n: "int",
  },
} as const satisfies Record<string, Record<string, ColumnKind>>;

export type ColumnKind =
  | "id"
  | "int"
  | "int?"
  | "int="
  | "real"
  | "real="
  | "text"
  | "text?"
  | "text="
  | "computed";

interface KindTypes {
  id: Generated<number>;
  int: number;
  "int?": number | null;
  "int=": Generated<number>;
  real: number;
  "real=": Generated<number>;
  text: string;
  "text?": string | null;
  "text=": Generated<string>;
  computed: GeneratedAlways<number>;
}

type TableOf<Columns extends Record<string, ColumnKind>> = {
  -readonly [C in keyof Columns]: KindTypes[Columns[C]];
};

/** Kysely's view of the schema: one interface per table, derived from TABLES. */
export type Database = { -readonly [T in keyof typeof TABLES]: TableOf<(typeof TABLES)[T]> };

export type TableName = keyof Database;
