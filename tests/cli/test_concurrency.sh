#!/usr/bin/env bash
# Two tide processes on one database (the migration lock), and a process killed in the
# middle of a migration (the next run sees a consistent database and history).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BG_PID=""
BG_OUT=""

# tide_bg ARGS...: start tide in the background; BG_PID is tide's own pid (exec, no
# wrapper), so kill -9 hits the tide process itself.
tide_bg() {
  BG_OUT="$T_DIR/.bg.out"
  (exec "$TIDE_BIN" "$@" >"$BG_OUT" 2>"$T_DIR/.bg.err" </dev/null) &
  BG_PID=$!
  # Each test runs in its own subshell: kill a leftover run when that subshell ends
  # (a failed assertion included).
  trap cleanup_bg EXIT
}

# wait_for_output TEXT: until the background run printed TEXT, at most 20 s. Background
# runs use --json, whose events are flushed at once (plain output to a file is buffered).
wait_for_output() {
  local i
  for ((i = 0; i < 200; i++)); do
    grep -qF -- "$1" "$BG_OUT" 2>/dev/null && return 0
    kill -0 "$BG_PID" 2>/dev/null || fail "the background tide exited before printing '$1': $(cat "$BG_OUT" "$T_DIR/.bg.err")"
    sleep 0.1
  done
  fail "the background tide did not print '$1' within 20 s"
}

# A migration that creates a table and inserts a row, logs "sleeping" (the sign that the
# work before the sleep is done), then sleeps while SLEEP is set (the environment
# variable does not change the file, so its checksum stays the same for the rerun).
slow_migration() {
  local file=$1 table=$2 transaction=${3:-true}
  write "migrations/$file" <<EOF
return {
  transaction = $transaction,
  up = function(db)
    db:exec [[CREATE TABLE $table (id integer)]]
    db:exec [[INSERT INTO $table VALUES (1)]]
    local seconds = tonumber(tide.getenv("SLEEP", "0"))
    tide.log("sleeping %s s", seconds)
    if seconds > 0 then tide.sleep(seconds) end
    db:exec [[INSERT INTO $table VALUES (2)]]
  end,
  down = function(db) db:exec [[DROP TABLE $table]] end,
}
EOF
}

cleanup_bg() {
  [[ -n "$BG_PID" ]] && kill -9 "$BG_PID" 2>/dev/null
  return 0
}

test_second_up_waits_for_lock_then_exit_4() {
  project
  sql_migration 001_a.sql a
  slow_migration 002_slow.lua slow
  SLEEP=4 tide_bg --json up
  wait_for_output "sleeping"
  local start=$SECONDS
  # The same database under another spelling of its URL sees the same lock.
  tide --database "sqlite://$(pwd -P)/test.db" up --lock-timeout 1s
  local took=$((SECONDS - start))
  expect_exit 4
  expect_stderr_contains "lock"
  expect_stderr_contains "1000 ms"
  expect_stdout_contains "waiting up to 1000 ms for the migration lock"
  ((took >= 1)) || fail "the second run gave up after ${took}s, before its 1s lock timeout"
  kill -0 "$BG_PID" 2>/dev/null || fail "the first run ended before the second gave up; the test proves nothing"
  wait "$BG_PID"
  local first_rc=$?
  expect_eq "$first_rc" 0 "exit code of the first (lock-holding) run"
  expect_applied "001 002"
  expect_sql "SELECT count(*) FROM slow" 2
  # The lock is free again: a run with a short timeout gets it at once.
  tide up --lock-timeout 1s
  expect_exit 0
  expect_stdout_contains "up to date"
  [[ -z "$(ls | grep -- '-tide.lock')" ]] || fail "a lock file was left behind: $(ls)"
}

test_second_up_succeeds_when_lock_is_released_in_time() {
  project
  slow_migration 001_slow.lua slow
  lua_migration 002_after.lua after
  # The first run applies only 001 (sleeping 2 s); the second waits, then applies 002.
  SLEEP=2 tide_bg --json up --step 1
  wait_for_output "sleeping"
  tide up --lock-timeout 20s
  expect_exit 0
  wait "$BG_PID"
  expect_eq "$?" 0 "exit code of the first run"
  expect_applied "001 002"
  expect_table after
}

test_lock_timeout_from_config() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lock_timeout = "1s" }
EOF
  slow_migration 001_slow.lua slow
  SLEEP=4 tide_bg --json up
  wait_for_output "sleeping"
  tide down
  expect_exit 4
  expect_stderr_contains "lock"
  kill -0 "$BG_PID" 2>/dev/null || fail "the first run ended early; the test proves nothing"
  wait "$BG_PID"
  expect_applied "001"
}

test_killed_transactional_migration_leaves_nothing() {
  project
  sql_migration 001_a.sql a
  slow_migration 002_slow.lua slow
  SLEEP=60 tide_bg --json up
  wait_for_output "sleeping"
  kill -9 "$BG_PID"
  wait "$BG_PID" 2>/dev/null
  BG_PID=""
  # The killed process leaves no stale lock: repair, which takes the lock (status does
  # not), gets it within a short timeout, and finds nothing to repair.
  tide repair --lock-timeout 1s
  expect_exit 0
  expect_stdout_contains "nothing to repair"
  tide status
  expect_exit 0
  expect_stdout_matches '^001 +a +applied'
  expect_stdout_matches '^002 +slow +pending'
  expect_no_table slow
  expect_sql "SELECT count(*) FROM tide_history WHERE version = '002'" 0
  tide up --lock-timeout 1s
  expect_exit 0
  expect_applied "001 002"
  expect_sql "SELECT count(*) FROM slow" 2
}

start_and_kill_non_transactional() {
  project
  sql_migration 001_a.sql a
  slow_migration 002_slow.lua slow false
  lua_migration 003_after.lua after
  SLEEP=60 tide_bg --json up
  wait_for_output "sleeping"
  kill -9 "$BG_PID"
  wait "$BG_PID" 2>/dev/null
  BG_PID=""
  # Half-way: the statements before the kill are in the database, the row is dirty.
  expect_sql "SELECT count(*) FROM slow" 1
  expect_sql "SELECT status FROM tide_history WHERE version = '002'" dirty
}

test_killed_non_transactional_migration_is_dirty() {
  start_and_kill_non_transactional
  tide up --lock-timeout 1s
  expect_exit 5
  expect_stderr_contains "002"
  expect_stderr_contains "dirty"
  expect_stderr_contains "resolve"
  expect_no_table after
  tide status
  expect_stdout_matches '^002 +slow +dirty'
  tide status --exit-code
  expect_exit 5
  tide down
  expect_exit 5
  expect_table a
}

test_resolve_applied_after_kill() {
  start_and_kill_non_transactional
  # The operator finishes the work by hand, then says so.
  sql "INSERT INTO slow VALUES (2)" >/dev/null
  tide resolve 002 --applied
  expect_exit 0
  expect_sql "SELECT status FROM tide_history WHERE version = '002'" applied
  tide up
  expect_exit 0
  expect_applied "001 002 003"
  expect_table after
}

test_resolve_rolled_back_after_kill() {
  start_and_kill_non_transactional
  # The operator undoes the partial work, then says so; up runs 002 again.
  sql "DROP TABLE slow" >/dev/null
  tide resolve 002 --rolled-back
  expect_exit 0
  expect_sql "SELECT count(*) FROM tide_history WHERE version = '002'" 0
  tide up
  expect_exit 0
  expect_applied "001 002 003"
  expect_sql "SELECT count(*) FROM slow" 2
}

test_repair_clears_dirty_after_kill() {
  start_and_kill_non_transactional
  sql "DROP TABLE slow" >/dev/null
  tide repair
  expect_exit 0
  expect_stdout_contains "002"
  tide up
  expect_exit 0
  expect_applied "001 002 003"
}

test_lock_released_after_a_failed_run() {
  project
  write migrations/001_bad.sql <<'EOF'
CREATE TABLE a (id integer);
INSERT INTO nowhere VALUES (1);
EOF
  tide up
  expect_exit 1
  # A stale lock would make these wait and exit 4.
  tide up --lock-timeout 200ms
  expect_exit 1
  tide down --lock-timeout 200ms
  expect_exit 0
  expect_stdout_contains "nothing to revert"
}

test_sigterm_during_migration_rolls_back() {
  project
  slow_migration 001_slow.lua slow
  SLEEP=60 tide_bg --json up
  wait_for_output "sleeping"
  kill -TERM "$BG_PID"
  wait "$BG_PID" 2>/dev/null
  BG_PID=""
  expect_no_table slow
  expect_sql "SELECT count(*) FROM tide_history" 0
  tide up --lock-timeout 1s
  expect_exit 0
  expect_applied "001"
}

test_resolve_on_a_clean_migration_is_refused() {
  project
  sql_migration 001_a.sql a
  tide up
  tide resolve 001 --applied
  expect_exit 2
  expect_stderr_contains "not dirty"
  expect_applied "001"
}

test_failed_non_transactional_migration_is_dirty_with_error() {
  project
  write migrations/001_half.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    db:exec [[CREATE TABLE half (id integer)]]
    db:exec [[INSERT INTO nowhere VALUES (1)]]
  end,
  down = function(db) db:exec [[DROP TABLE half]] end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_half.lua:5"
  expect_stderr_contains "dirty"
  expect_sql "SELECT status FROM tide_history WHERE version = '001'" dirty
  expect_sql "SELECT error LIKE '%nowhere%' FROM tide_history WHERE version = '001'" 1
  expect_table half
  # The next run names the dirty migration and the way out.
  tide up
  expect_exit 5
  expect_stderr_contains "001"
  expect_stderr_contains "nowhere"
  expect_stderr_contains "resolve"
}

run_tests
