-- The executor fleet's completion record: the final answer per request ID (the first recorded
-- wins) and each write's attempt, recorded before it is sent. IF NOT EXISTS: deployments whose
-- executors created these tables before Flyway managed them are baselined at version 0 and keep
-- their rows.
CREATE TABLE IF NOT EXISTS executor_completions (
    request_id  text PRIMARY KEY,
    completed   bytea NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS executor_attempts (
    request_id   text PRIMARY KEY,
    attempted_at timestamptz NOT NULL
);
