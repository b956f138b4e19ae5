/**
 * Numbered migrations, applied in order inside one transaction each. Never edit a released
 * migration: add the next number.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        removed_at TEXT
      );
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        title TEXT NOT NULL,
        prompt TEXT NOT NULL,
        agent TEXT NOT NULL,
        script_json TEXT,
        verify_json TEXT,
        writes_json TEXT NOT NULL DEFAULT '[]',
        depends_json TEXT NOT NULL DEFAULT '[]',
        priority INTEGER NOT NULL DEFAULT 0,
        target_branch TEXT NOT NULL,
        branch TEXT NOT NULL,
        worktree_path TEXT,
        base_commit TEXT,
        head_commit TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        state_json TEXT NOT NULL,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        owner_pid INTEGER,
        owner_started_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX tasks_by_project ON tasks(project_id, status);
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        task_id TEXT NOT NULL REFERENCES tasks(id),
        attempt INTEGER NOT NULL,
        agent TEXT NOT NULL,
        status TEXT NOT NULL,
        session_id TEXT,
        owner_pid INTEGER,
        owner_started_at TEXT,
        agent_pid INTEGER,
        marker TEXT NOT NULL,
        exit_code INTEGER,
        reason TEXT,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        ended_at TEXT
      );
      CREATE INDEX runs_by_task ON runs(task_id, attempt);
      CREATE INDEX runs_by_status ON runs(status);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        task_id TEXT,
        run_id TEXT,
        payload_json TEXT NOT NULL
      );
      CREATE INDEX events_by_task ON events(task_id, seq);
      CREATE TABLE ci_status (
        commit_sha TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        command_json TEXT NOT NULL,
        exit_code INTEGER,
        output TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        task_id TEXT,
        at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "plans, workflow, leases, merge queue, worktree pool",
    sql: `
      ALTER TABLE tasks ADD COLUMN plan_id TEXT;
      ALTER TABLE tasks ADD COLUMN plan_key TEXT;
      ALTER TABLE tasks ADD COLUMN review_json TEXT;
      ALTER TABLE tasks ADD COLUMN rounds_json TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE tasks ADD COLUMN waiting_for TEXT;
      CREATE INDEX tasks_by_plan ON tasks(plan_id);
      ALTER TABLE runs ADD COLUMN role TEXT NOT NULL DEFAULT 'coder';
      CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL,
        source TEXT,
        concurrency INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      -- Write-locks as leases: a running task holds its write globs; a lease whose owner is gone
      -- or whose heartbeat is older than the timeout is released.
      CREATE TABLE leases (
        task_id TEXT PRIMARY KEY REFERENCES tasks(id),
        project_id TEXT NOT NULL,
        globs_json TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_started_at TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
      );
      -- One row per CI run of the merge queue: a batch (parent_id NULL) or one bisection step of
      -- it (parent_id = the batch). base = the target tip the candidate was stacked on.
      CREATE TABLE merge_batches (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        target TEXT NOT NULL,
        parent_id TEXT,
        task_ids_json TEXT NOT NULL,
        base TEXT,
        candidate TEXT,
        status TEXT NOT NULL,
        ci_ran INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX merge_batches_by_queue ON merge_batches(project_id, target, started_at);
      CREATE TABLE worktree_pool (
        path TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        state TEXT NOT NULL,
        task_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: "provider keys, envelope-encrypted",
    sql: `
      -- One row per provider: the secret sealed with its own data key, that key wrapped by the
      -- master key in $FLOTILLA_HOME/master.key (engine/src/secrets). Never the secret itself.
      CREATE TABLE secrets (
        provider TEXT PRIMARY KEY,
        env_var TEXT NOT NULL,
        masked TEXT NOT NULL,
        master_key_id TEXT NOT NULL,
        wrapped_key BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "watchdog and budget overrides per task and per plan",
    sql: `
      -- A task's own watchdog thresholds and budget, and a plan's budget, from the plan file or
      -- the task spec (docs/watchdog.md): JSON objects, NULL when not set.
      ALTER TABLE tasks ADD COLUMN watchdog_json TEXT;
      ALTER TABLE tasks ADD COLUMN budget_json TEXT;
      ALTER TABLE plans ADD COLUMN budget_json TEXT;
    `,
  },
  {
    version: 5,
    name: "a task held for a person's approval",
    sql: `
      -- 1 when the task lands only on a person's approval (run with --no-merge / autoMerge: false):
      -- it waits in awaiting_merge with a reason until \`flotilla merge\` or an inbox approve clears it.
      ALTER TABLE tasks ADD COLUMN hold_for_approval INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: "the orchestrator's answers as runs of the asking task",
    sql: `
      -- A run with role 'orchestrator' is the orchestrator agent answering a question a run asked
      -- over MCP (\`ask\`): asked_by is that run's id. Its usage counts toward the task's and the
      -- plan's budgets and metrics; it is not one of the task's attempts (docs/watchdog.md).
      ALTER TABLE runs ADD COLUMN asked_by TEXT;
    `,
  },
];
