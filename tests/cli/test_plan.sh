#!/usr/bin/env bash
# tide plan and tide up --dry-run on SQLite: the statements up would run with their
# file:line and transaction mode, offline without any database, Lua migrations that stop
# at a read or a command; a dry run that prints each statement and leaves the schema and
# the history as they were, whatever happens.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

two_migrations() {
  project
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id integer primary key);

-- tide:lint-ignore index-not-concurrent
CREATE INDEX users_id ON users (id);
-- tide:down
DROP TABLE users;
EOF
  write migrations/002_posts.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE posts (id integer primary key, user_id integer)]]
    db:exec("INSERT INTO posts (id) VALUES (?)", 1)
  end,
  down = function(db) db:exec [[DROP TABLE posts]] end,
}
EOF
}

test_plan_prints_statements_and_writes_nothing() {
  two_migrations
  tide plan
  expect_exit 0
  expect_stdout_contains "-- 001 users · in a transaction"
  expect_stdout_contains "-- migrations/001_users.sql:2"
  expect_stdout_contains "CREATE TABLE users (id integer primary key);"
  expect_stdout_contains "-- migrations/001_users.sql:5"
  expect_stdout_contains "-- 002 posts · in a transaction"
  expect_stdout_contains "-- migrations/002_posts.lua:3"
  expect_stdout_contains "-- migrations/002_posts.lua:4 · 1 bound parameter(s)"
  expect_stdout_contains "INSERT INTO posts (id) VALUES (?);"
  expect_stdout_contains "2 migration(s) planned, 4 statement(s)"
  # Nothing was created, not even the history table.
  expect_no_table users
  expect_no_table tide_history
}

# The text output is SQL to read or keep: every line that is not a statement is a comment
# (the run header too), so a plan of plain SQL migrations runs as a script.
test_plan_output_is_an_sql_script() {
  project
  sql_migration 001_users.sql users
  sql_migration 002_posts.sql posts
  tide plan
  expect_exit 0
  [[ $(head -1 "$OUT") == "-- tide: environment development"* ]] || fail "the header is not a comment: $(head -1 "$OUT")"
  "$SQLITE3" -bail planned.db <"$OUT" || fail "the plan does not run as a script: $(cat "$OUT")"
  [[ $("$SQLITE3" planned.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'posts')") == 2 ]] ||
    fail "the plan's script did not create both tables"
}

test_plan_shows_only_pending_and_honours_to_and_step() {
  two_migrations
  sql_migration 003_tags.sql tags
  tide up --to 001
  expect_exit 0
  tide plan
  expect_exit 0
  expect_stdout_not_contains "-- 001 users"
  expect_stdout_contains "-- 002 posts"
  expect_stdout_contains "-- 003 tags"
  tide plan --to 002
  expect_stdout_contains "-- 002 posts"
  expect_stdout_not_contains "-- 003 tags"
  tide plan --step 1
  expect_stdout_contains "1 migration(s) planned"
  tide plan --to 999
  expect_exit 2
  expect_stderr_contains "--to 999: no migration has that version"
  tide up
  tide plan
  expect_exit 0
  expect_stdout_contains "nothing to apply: the database is up to date"
}

test_plan_offline_needs_no_database() {
  two_migrations
  tide plan --offline
  expect_exit 0
  expect_stdout_contains "offline: no database is read"
  expect_stdout_contains "-- 001 users · in a transaction"
  [[ ! -e test.db ]] || fail "plan --offline created the database file"
  # The scheme picks the dialect; nothing listens on port 1, and nothing needs to.
  tide --database "postgres://nobody:s3cret-pw@127.0.0.1:1/nowhere" plan --offline
  expect_exit 0
  expect_stdout_contains "planned for postgres"
  expect_stdout_contains "postgres://nobody:***@127.0.0.1:1/nowhere"
  expect_stdout_not_contains "s3cret-pw"
  tide --database "nosuch://x" plan --offline
  expect_exit 2
  expect_stderr_contains "nosuch"
}

test_plan_of_a_lua_migration_stops_at_a_read() {
  project
  write migrations/001_backfill.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE t (id integer primary key, n integer)]]
    local big = db:scalar("SELECT count(*) FROM t") > 1000
    if big then db:exec [[CREATE INDEX t_n ON t (n)]] end
    db:exec [[CREATE TABLE never_planned (id integer)]]
  end,
}
EOF
  tide plan
  expect_exit 0
  expect_stdout_contains "-- migrations/001_backfill.lua:4 · read: needs a real result"
  expect_stdout_contains "SELECT count(*) FROM t;"
  expect_stdout_contains "stops at a read at migrations/001_backfill.lua:4: what follows depends on its result"
  expect_stdout_contains "tide up --dry-run"
  expect_stdout_not_contains "never_planned"
  expect_stdout_contains "1 plan(s) stop early"
}

test_plan_never_runs_tide_exec() {
  project
  write migrations/001_cmd.lua <<'EOF'
return {
  up = function(db)
    tide.exec{"touch", "ran-by-plan"}
    db:exec [[CREATE TABLE t (id integer)]]
  end,
}
EOF
  tide plan --offline
  expect_exit 0
  [[ ! -e ran-by-plan ]] || fail "tide plan ran the migration's command"
  expect_stdout_contains "runs a command: touch ran-by-plan"
  expect_stdout_contains "stops at a command at migrations/001_cmd.lua:3"
  expect_stdout_not_contains "CREATE TABLE t"
}

test_plan_json_has_one_event_per_migration_and_statement() {
  two_migrations
  tide --json plan
  expect_exit 0
  expect_stdout_contains '"event":"plan","version":"001","name":"users","file":"migrations/001_users.sql","mode":"transaction","statements":2'
  expect_stdout_contains '"event":"plan_statement","version":"001","file":"migrations/001_users.sql","line":2,"column":1,"exact":true,"kind":"statement","sql":"CREATE TABLE users (id integer primary key)"'
  expect_stdout_contains '"line":4,"column":14,"exact":true,"kind":"statement","sql":"INSERT INTO posts (id) VALUES (?)","note":"1 bound parameter(s)"'
  expect_stdout_contains '"event":"plan_summary","count":2,"statements":4'
  [[ $(grep -c '"event":"plan_statement"' "$OUT") == 4 ]] || fail "expected 4 plan_statement events"
}

test_plan_lists_gated_migrations_as_skipped_and_modes() {
  project
  write migrations/001_prod.sql <<'EOF'
-- tide:env production
-- tide:up
CREATE TABLE p (id integer);
EOF
  write migrations/002_nt.sql <<'EOF'
-- tide:no-transaction
-- tide:up
CREATE TABLE q (id integer);
EOF
  tide plan
  expect_exit 0
  expect_stdout_contains '-- 001 prod · skipped: env gate "production" excludes development'
  expect_stdout_contains "-- 002 nt · no transaction"
  expect_stdout_contains "1 skipped by their env gate"
}

test_plan_refuses_what_up_refuses() {
  two_migrations
  tide up --to 001
  echo "-- edited" >>migrations/001_users.sql
  tide plan
  expect_exit 5
  expect_stderr_contains "changed since they were applied"
}

test_plan_exits_1_when_a_migration_fails_while_planned() {
  project
  write migrations/001_bad.lua <<'EOF'
return { up = function(db) error("no way") end }
EOF
  tide plan --offline
  expect_exit 1
  expect_stdout_contains "stops at an error of the migration itself"
  expect_stdout_contains "no way"
  expect_stderr_contains "1 migration(s) fail while they are planned"
}

test_dry_run_prints_statements_and_changes_nothing() {
  two_migrations
  sql_migration 003_tags.sql tags
  tide up --to 001
  expect_exit 0
  local before after
  before=$(sql "SELECT version, checksum, applied_at FROM tide_history")
  tide up --dry-run
  expect_exit 0
  expect_stdout_contains "dry run: the pending migrations run in one transaction that is rolled back"
  expect_stdout_contains "rehearse 002 posts"
  expect_stdout_matches "migrations/002_posts.lua:3  CREATE TABLE posts \(id integer primary key, user_id integer\)  [0-9]+\.[0-9] ms"
  expect_stdout_matches "migrations/002_posts.lua:4  INSERT INTO posts \(id\) VALUES \(\?\)  [0-9]+\.[0-9] ms"
  expect_stdout_matches "migrations/003_tags.sql:2  CREATE TABLE tags \(id integer primary key\)  [0-9]+\.[0-9] ms"
  expect_stdout_contains "rolled back: 2 migration(s) rehearsed, 3 statement(s)"
  expect_stdout_contains "nothing was applied or recorded"
  expect_no_table posts
  expect_no_table tags
  after=$(sql "SELECT version, checksum, applied_at FROM tide_history")
  expect_eq "$after" "$before" "history after the dry run"
  # And the real run still applies them.
  tide up
  expect_exit 0
  expect_applied "001 002 003"
}

test_dry_run_on_a_new_database_leaves_no_history_table() {
  two_migrations
  tide up --dry-run
  expect_exit 0
  expect_no_table users
  expect_no_table tide_history
}

test_dry_run_failing_statement_rolls_back_everything() {
  project
  sql_migration 001_a.sql a
  write migrations/002_b.sql <<'EOF'
-- tide:up
CREATE TABLE b (id integer);
INSERT INTO missing_table VALUES (1);
EOF
  tide up --dry-run
  expect_exit 1
  expect_stdout_contains "rehearse 001 a"
  expect_stderr_contains "migrations/002_b.sql:3: no such table: missing_table"
  expect_stderr_contains "statement 2: INSERT INTO missing_table VALUES (1)"
  expect_stderr_contains "nothing was applied or recorded"
  expect_stdout_not_contains "rolled back:"
  expect_no_table a
  expect_no_table b
  expect_no_table tide_history
}

test_dry_run_never_sends_commit() {
  project
  write migrations/001_commit.sql <<'EOF'
-- tide:up
CREATE TABLE before_commit (id integer);
COMMIT;
CREATE TABLE after_commit (id integer);
EOF
  tide up --dry-run
  expect_exit 1
  expect_stderr_contains "migrations/001_commit.sql:3: \`COMMIT\` is not sent in a dry run"
  expect_stderr_contains "tide plan"
  expect_no_table before_commit
  expect_no_table after_commit
  write migrations/001_commit.sql <<'EOF'
-- tide:up
CREATE TABLE t (id integer);
VACUUM;
EOF
  tide up --dry-run
  expect_exit 1
  expect_stderr_contains "migrations/001_commit.sql:3: \`VACUUM\` is not sent in a dry run"
  expect_no_table t
}

test_dry_run_lists_non_transactional_migrations_without_running_them() {
  project
  sql_migration 001_a.sql a
  write migrations/002_nt.lua <<'EOF'
return {
  transaction = false,
  up = function(db) db:exec [[CREATE TABLE nt (id integer)]] end,
}
EOF
  tide up --dry-run
  expect_exit 0
  expect_stdout_contains "skip 002 nt (not rehearsed: it runs outside a transaction)"
  expect_stdout_not_contains "CREATE TABLE nt"
  expect_stdout_contains "1 not rehearsed"
  expect_no_table nt
}

test_dry_run_fires_no_hooks_and_says_so() {
  project
  sql_migration 001_a.sql a
  write tide.lua <<EOF
$(lua_event_log)
return {
  database = "sqlite:test.db",
  hooks = { before_migrate = function() log("before_migrate") end },
}
EOF
  tide up --dry-run
  expect_exit 0
  expect_stdout_contains "hooks do not fire in a dry run"
  expect_log ""
}

test_dry_run_usage() {
  project
  sql_migration 001_a.sql a
  tide up --dry-run --seed
  expect_exit 2
  expect_stderr_contains "excludes --dry-run"
  tide --json up --dry-run
  expect_exit 0
  expect_stdout_contains '"event":"rehearse","version":"001","name":"a","file":"migrations/001_a.sql"'
  expect_stdout_contains '"event":"rehearsed_statement","where":"migrations/001_a.sql:2","sql":"CREATE TABLE a (id integer primary key)","duration_us":'
  expect_stdout_contains '"event":"dry_run_done"'
  expect_no_table a
}

test_dry_run_never_runs_commands() {
  project
  write migrations/001_cmd.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE t (id integer)]]
    local r = tide.exec{"touch", "ran-by-dry-run"}
  end,
}
EOF
  tide up --dry-run
  expect_exit 1
  [[ ! -e ran-by-dry-run ]] || fail "the dry run ran the migration's command"
  expect_stderr_contains "migrations/001_cmd.lua:4: tide.exec is refused in a dry run (touch ran-by-dry-run)"
  expect_stderr_contains "nothing was applied or recorded"
  expect_no_table t
  # Outside a dry run, commands run again.
  tide up
  expect_exit 0
  [[ -e ran-by-dry-run ]] || fail "tide up did not run the command"
}

run_tests
