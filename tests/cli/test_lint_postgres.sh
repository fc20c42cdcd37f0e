#!/usr/bin/env bash
# tide lint and the lint gate of tide up on a real PostgreSQL (TIDE_TEST_POSTGRES_URL):
# pending migrations read from the server's history, the PostgreSQL rules, the refusal in
# a protected environment leaving the database as it was.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

# 001 creates users with a row; 002 indexes it without CONCURRENTLY and adds a column with
# a volatile default (a table rewrite on every PostgreSQL version).
index_project() {
  pg_project
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id bigint PRIMARY KEY, email text);
INSERT INTO users VALUES (1, 'a@example.com');
-- tide:down
DROP TABLE users;
EOF
  write migrations/002_index.sql <<'EOF'
-- tide:up
SET LOCAL lock_timeout = '2s';
CREATE INDEX users_email ON users (email);
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- tide:down
DROP INDEX users_email;
ALTER TABLE users DROP COLUMN token;
EOF
}

test_pending_lint_on_the_server() {
  index_project
  tide up --to 001
  expect_exit 0
  tide lint
  expect_exit 1
  expect_stdout_contains "1 migration(s) checked, 2 error(s)"
  expect_stdout_contains "migrations/002_index.sql:3:8: error[index-not-concurrent]"
  expect_stdout_contains "migrations/002_index.sql:4:"
  expect_stdout_contains "error[add-column-default-rewrite]"
  # Lint wrote nothing: the history is as up --to 001 left it.
  expect_pg_applied "001"
}

test_gate_refuses_in_production_and_changes_nothing() {
  index_project
  tide up --to 001
  tide --env production up
  expect_exit 1
  expect_stderr_contains 'protected environment "production"'
  expect_stderr_contains "error[index-not-concurrent]"
  expect_stderr_contains "error[add-column-default-rewrite]"
  expect_pg_applied "001"
  expect_pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'" 0
  # The safe rewrite passes the gate: the index built concurrently outside a transaction,
  # the column added without the volatile default.
  write migrations/002_index.sql <<'EOF'
-- tide:no-transaction
-- tide:up
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY users_email ON users (email);
ALTER TABLE users ADD COLUMN token uuid;
ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();
-- tide:down
DROP INDEX CONCURRENTLY users_email;
ALTER TABLE users DROP COLUMN token;
EOF
  tide --env production up
  expect_exit 0
  expect_pg_applied "001 002"
  expect_pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'" 1
}

test_gate_yes_applies_with_warnings() {
  index_project
  tide up --to 001
  tide --env production --yes up
  expect_exit 0
  expect_stderr_contains "warning:"
  expect_stderr_contains "index-not-concurrent"
  expect_pg_applied "001 002"
}

run_tests
