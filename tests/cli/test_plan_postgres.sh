#!/usr/bin/env bash
# tide up --dry-run and tide plan on a real PostgreSQL (TIDE_TEST_POSTGRES_URL): the
# rehearsal's transaction is rolled back (tables absent, history unchanged), a
# non-transactional migration is listed and not run, a failing statement reports the
# server's error at its line; plan reads a database without a history table and leaves
# it without one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

pg_table_count() {
  pg "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '$1'"
}

test_dry_run_rolls_back_and_keeps_history() {
  pg_project
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
-- tide:down
DROP TABLE users;
EOF
  write migrations/002_posts.sql <<'EOF'
-- tide:up
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE FUNCTION posts_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.id := NEW.id; -- a body with ; inside
  RETURN NEW;
END $$;
INSERT INTO users (id, email) VALUES (1, 'a@example.com');
-- tide:down
DROP TABLE posts;
EOF
  write migrations/003_idx.sql <<'EOF'
-- tide:no-transaction
-- tide:up
CREATE INDEX CONCURRENTLY users_email ON users (email);
-- tide:down
DROP INDEX CONCURRENTLY users_email;
EOF
  write migrations/004_role.lua <<'EOF'
return {
  up = function(db)
    db:exec [[ALTER TABLE users ADD COLUMN role text]]
    db:transaction(function() db:exec [[UPDATE users SET role = 'admin']] end)
  end,
}
EOF
  tide up --to 001
  expect_exit 0
  local before
  before=$(pg "SELECT version || ' ' || checksum || ' ' || applied_at FROM tide_history ORDER BY version")
  tide up --dry-run
  expect_exit 0
  expect_no_password
  expect_stdout_contains "rehearse 002 posts"
  expect_stdout_matches "migrations/002_posts.sql:2  CREATE TABLE posts .*  [0-9]+\.[0-9] ms"
  expect_stdout_matches "migrations/002_posts.sql:3  CREATE FUNCTION posts_touch\(\) RETURNS trigger LANGUAGE plpgsql AS .*  [0-9]+\.[0-9] ms"
  expect_stdout_matches "migrations/002_posts.sql:8  INSERT INTO users"
  expect_stdout_contains "skip 003 idx (not rehearsed: it runs outside a transaction)"
  expect_stdout_contains "rehearse 004 role"
  expect_stdout_matches "migrations/004_role.lua:3  ALTER TABLE users ADD COLUMN role text"
  expect_stdout_matches "migrations/004_role.lua:4  SAVEPOINT tide_sp_1"
  expect_stdout_contains "rolled back: 2 migration(s) rehearsed"
  expect_stdout_contains "1 not rehearsed (outside a transaction)"
  [[ $(pg_table_count posts) == 0 ]] || fail "the dry run left table posts"
  expect_pg "SELECT count(*) FROM pg_proc WHERE proname = 'posts_touch'" 0
  expect_pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'" 0
  expect_pg "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'" 0
  expect_pg "SELECT count(*) FROM users" 0
  expect_pg "SELECT version || ' ' || checksum || ' ' || applied_at FROM tide_history ORDER BY version" "$before"
  # The lock is released: a real run goes through at once.
  tide up
  expect_exit 0
  expect_pg_applied "001 002 003 004"
}

test_dry_run_failure_names_the_line_and_rolls_back() {
  pg_project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id int);
INSERT INTO a VALUES ('not a number');
EOF
  tide up --dry-run
  expect_exit 1
  expect_stderr_contains "migrations/001_a.sql:3: invalid input syntax for type integer"
  expect_stderr_contains "SQLSTATE 22P02"
  expect_stderr_contains "nothing was applied or recorded"
  [[ $(pg_table_count a) == 0 ]] || fail "the dry run left table a"
  [[ $(pg_table_count tide_history) == 0 ]] || fail "the dry run left the history table"
}

test_dry_run_never_sends_transaction_control() {
  pg_project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id int)]]
    db:exec [[END]]
    db:exec [[CREATE TABLE b (id int)]]
  end,
}
EOF
  tide up --dry-run
  expect_exit 1
  expect_stderr_contains "migrations/001_a.lua:4: \`END\` is not sent in a dry run"
  [[ $(pg_table_count a) == 0 ]] || fail "the dry run committed table a"
}

test_plan_reads_a_database_without_history_and_creates_nothing() {
  pg_project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id int);
EOF
  tide plan
  expect_exit 0
  expect_stdout_contains "-- 001 a · in a transaction"
  expect_stdout_contains "CREATE TABLE a (id int);"
  [[ $(pg_table_count tide_history) == 0 ]] || fail "tide plan created the history table"
  [[ $(pg_table_count a) == 0 ]] || fail "tide plan created table a"
}

run_tests
