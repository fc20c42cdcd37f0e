#!/usr/bin/env bash
# tide on a real PostgreSQL server: up / down / status / redo on .sql and .lua files,
# non-transactional migrations (CONCURRENTLY, ALTER TYPE ... ADD VALUE, VACUUM), the
# advisory lock between two runs and after a kill, and what errors show. Each test has
# a database of its own (pg_project).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

BG_PIDS=()

# tide_bg ARGS...: tide in the background (its own pid, for kill -9), output in
# .bg<N>.out / .bg<N>.err; background runs use --json, whose events are flushed at once.
tide_bg() {
  local n=${#BG_PIDS[@]}
  (exec "$TIDE_BIN" "$@" >"$T_DIR/.bg$n.out" 2>"$T_DIR/.bg$n.err" </dev/null) &
  BG_PIDS+=($!)
  trap 'for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done' EXIT
}

wait_for_bg_output() {
  local n=$1 text=$2 i
  for ((i = 0; i < 200; i++)); do
    grep -qF -- "$text" "$T_DIR/.bg$n.out" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "background run $n did not print '$text' within 20 s: $(cat "$T_DIR/.bg$n.out" "$T_DIR/.bg$n.err")"
}

test_up_status_down_redo_on_sql_and_lua() {
  pg_project
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM users); -- a ';' inside the body
END;
$$;
-- tide:down
DROP FUNCTION user_count();
DROP TABLE users;
EOF
  write migrations/002_seed_admin.lua <<'EOF'
return {
  up = function(db)
    db:exec("INSERT INTO users (email) VALUES ($1)", "admin@example.com")
    assert(db:scalar("SELECT user_count()") == 1)
  end,
  down = function(db) db:exec("DELETE FROM users WHERE email = $1", "admin@example.com") end,
}
EOF
  tide up
  expect_exit 0
  expect_pg_applied "001 002"
  expect_pg "SELECT email FROM users" "admin@example.com"
  tide status
  expect_exit 0
  expect_stdout_contains "2 applied, 0 pending"
  tide redo
  expect_exit 0
  expect_pg "SELECT count(*) FROM users" 1
  tide down --all
  expect_exit 0
  expect_pg_applied ""
  expect_pg "SELECT count(*) FROM pg_tables WHERE tablename = 'users'" 0
}

test_no_transaction_runs_concurrently_type_values_and_vacuum() {
  pg_project
  write migrations/001_base.sql <<'EOF'
CREATE TABLE items (id int PRIMARY KEY, n int);
CREATE TYPE mood AS ENUM ('ok');
EOF
  write migrations/002_online.sql <<'EOF'
-- tide:up tide:no-transaction
CREATE INDEX CONCURRENTLY items_n ON items (n);
ALTER TYPE mood ADD VALUE 'great';
VACUUM items;
-- tide:down tide:no-transaction
DROP INDEX CONCURRENTLY items_n;
EOF
  # Recorded dirty while it runs: the migration reads its own history row.
  write migrations/003_watch.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    tide.log("own status: %s", db:scalar("SELECT status FROM tide_history WHERE version = '003'"))
    db:exec("DROP INDEX CONCURRENTLY items_n")
  end,
  down = function(db) db:exec("CREATE INDEX CONCURRENTLY items_n ON items (n)") end,
}
EOF
  tide up
  expect_exit 0
  expect_stdout_contains "own status: dirty"
  expect_pg_applied "001 002 003"
  expect_pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_n'" 0
  expect_pg "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum" "ok,great"
  tide down --step 2
  expect_exit 0
  expect_pg_applied "001"
  expect_pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_n'" 0
}

test_concurrently_in_a_transactional_migration_hints_the_way_out() {
  pg_project
  write migrations/001_t.sql <<'EOF'
CREATE TABLE t (n int);
EOF
  write migrations/002_idx.sql <<'EOF'
-- tide:up
-- the index, built without blocking writes
CREATE INDEX CONCURRENTLY t_n ON t (n);
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/002_idx.sql:3:"
  expect_stderr_contains "CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)"
  expect_stderr_contains "-- tide:no-transaction"
  expect_stderr_contains "transaction = false"
  expect_stderr_contains "rolled back"
  expect_pg_applied "001"
}

test_errors_show_sqlstate_detail_hint_and_line() {
  pg_project
  write migrations/001_t.sql <<'EOF'
-- tide:up
CREATE TABLE t (id int PRIMARY KEY);
INSERT INTO t VALUES (1);

INSERT INTO t VALUES (2),
  (1);
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_t.sql:5:"
  expect_stderr_contains "duplicate key value violates unique constraint \"t_pkey\" (SQLSTATE 23505)"
  expect_stderr_contains "Key (id)=(1) already exists."
  expect_stderr_contains "nothing was recorded"
  expect_pg "SELECT count(*) FROM pg_tables WHERE tablename = 't'" 0
  write migrations/001_t.sql <<'EOF'
-- tide:up
CREATE TABLE t (id int PRIMARY KEY);
SELECT 1;
-- ünïcödé before the error moves characters and bytes apart
SELECT no_such_function(id) FROM t;
EOF
  tide --json up
  expect_exit 1
  expect_stderr_contains "migrations/001_t.sql:5:"
  expect_stderr_contains "(SQLSTATE 42883)"
  expect_stderr_contains "hint: No function matches the given name and argument types."
  expect_stdout_contains '"event":"error"'
  expect_stdout_contains '"sqlstate":"42883"'
  expect_pg_applied ""
}

test_non_transactional_failure_half_way_is_dirty_with_a_way_out() {
  pg_project
  write migrations/001_half.sql <<'EOF'
-- tide:up tide:no-transaction
CREATE TABLE done_first (n int);
CREATE INDEX CONCURRENTLY missing_idx ON no_such_table (n);
-- tide:down
DROP TABLE done_first;
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_half.sql:3:"
  expect_stderr_contains "relation \"no_such_table\" does not exist (SQLSTATE 42P01)"
  expect_stderr_contains "marked dirty"
  expect_stderr_contains "tide resolve 001 --applied"
  expect_pg "SELECT status FROM tide_history WHERE version = '001'" "dirty"
  expect_pg "SELECT count(*) FROM pg_tables WHERE tablename = 'done_first'" 1
  tide up
  expect_exit 5
  expect_stderr_contains "migration 001 is dirty"
  # Undo by hand, tell tide, run again with the file fixed.
  pg "DROP TABLE done_first"
  tide resolve 001 --rolled-back
  expect_exit 0
  sed -i 's/no_such_table/done_first/' migrations/001_half.sql
  tide up
  expect_exit 0
  expect_pg_applied "001"
}

test_two_concurrent_ups_apply_each_migration_once() {
  pg_project
  pg "CREATE TABLE runs (version text)"
  local i
  for i in 1 2 3 4 5 6; do
    write "migrations/00${i}_m.lua" <<EOF
return {
  up = function(db)
    db:exec("INSERT INTO runs VALUES ('00$i')")
    tide.sleep(0.2)
  end,
}
EOF
  done
  tide_bg --json up
  tide_bg --json up
  local rc0=0 rc1=0
  wait "${BG_PIDS[0]}" || rc0=$?
  wait "${BG_PIDS[1]}" || rc1=$?
  expect_eq "$rc0" 0 "exit code of the first run"
  expect_eq "$rc1" 0 "exit code of the second run"
  expect_pg "SELECT count(*) || ' ' || count(DISTINCT version) FROM runs" "6 6"
  expect_pg_applied "001 002 003 004 005 006"
  # One of them waited for the other.
  grep -qF "lock_wait" "$T_DIR/.bg0.out" "$T_DIR/.bg1.out" || fail "neither run waited for the lock"
}

test_killed_tide_leaves_no_lock_and_nothing_half_applied() {
  pg_project
  write migrations/001_slow.lua <<'EOF'
return {
  up = function(db)
    db:exec("CREATE TABLE slow (n int)")
    db:exec("INSERT INTO slow VALUES (1)")
    local seconds = tonumber(tide.getenv("SLEEP", "0"))
    tide.log("sleeping %s s", seconds)
    if seconds > 0 then tide.sleep(seconds) end
  end,
}
EOF
  SLEEP=30 tide_bg --json up
  wait_for_bg_output 0 "sleeping"
  kill -9 "${BG_PIDS[0]}"
  wait "${BG_PIDS[0]}" 2>/dev/null
  # The server ends the dead session: its lock and its transaction go with it.
  tide up --lock-timeout 10s
  expect_exit 0
  expect_stdout_not_contains "waiting"
  expect_pg_applied "001"
  expect_pg "SELECT count(*) FROM slow" 1
}

test_lock_timeout_from_config_is_the_sessions_lock_timeout() {
  pg_project
  write tide.lua <<'EOF'
return { lock_timeout = "1500ms", statement_timeout = "4s" }
EOF
  write migrations/001_show.lua <<'EOF'
return {
  up = function(db)
    tide.log("lock_timeout=%s statement_timeout=%s", db:scalar("SHOW lock_timeout"), db:scalar("SHOW statement_timeout"))
    tide.log("application_name=%s", db:scalar("SELECT current_setting('application_name')"))
  end,
}
EOF
  tide up
  expect_exit 0
  expect_stdout_contains "lock_timeout=1500ms statement_timeout=4s"
  expect_stdout_contains "application_name=tide"
}

test_wrong_password_never_shows_a_password() {
  pg_project
  local bad=${PG_URL/:$(pg_password)@/:not-the-password-5e1b@}
  tide --database "$bad" up
  expect_exit 1
  expect_stderr_contains "password authentication failed for user \"tide\""
  expect_stderr_not_contains "not-the-password-5e1b"
  tide --json --database "$bad" status
  expect_exit 1
  expect_stdout_contains '"event":"error"'
  expect_stdout_not_contains "not-the-password-5e1b"
  expect_stderr_not_contains "not-the-password-5e1b"
  # And the right one is never shown either.
  tide --verbose up
  expect_exit 0
  expect_no_password
}

test_unreachable_host_fails_within_the_connect_timeout_and_names_it() {
  pg_project
  # A port nothing listens on: refused at once.
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  tide --database "postgres://tide:secret-7f2a@127.0.0.1:$port/x" up
  expect_exit 1
  expect_stderr_contains "127.0.0.1"
  expect_stderr_contains "$port"
  expect_stderr_not_contains "secret-7f2a"
  # A server that accepts and never answers: connect_timeout (here 2 s) ends the wait.
  python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(60)' >"$T_DIR/.silent" &
  local silent=$!
  trap 'kill $silent 2>/dev/null' EXIT
  local i
  for ((i = 0; i < 50; i++)); do [[ -s $T_DIR/.silent ]] && break; sleep 0.1; done
  port=$(cat "$T_DIR/.silent")
  local start=$SECONDS
  tide --database "postgres://tide:secret-7f2a@127.0.0.1:$port/x?connect_timeout=2" up
  local took=$((SECONDS - start))
  kill "$silent" 2>/dev/null
  expect_exit 1
  expect_stderr_contains "timeout expired"
  expect_stderr_contains "127.0.0.1"
  ((took < 15)) || fail "connecting took ${took}s despite connect_timeout=2"
}

test_copy_from_stdin_in_a_migration() {
  pg_project
  write migrations/001_copy.sql <<'EOF'
CREATE TABLE colors (id int, name text);
COPY colors (id, name) FROM stdin;
1	red; not SQL
2	green
\.
INSERT INTO colors VALUES (3, 'blue');
EOF
  tide up
  expect_exit 0
  expect_pg "SELECT string_agg(name, ',' ORDER BY id) FROM colors" "red; not SQL,green,blue"
}

test_single_transaction_and_begin_atomic() {
  pg_project
  write migrations/001_fn.sql <<'EOF'
CREATE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END;
END;
CREATE PROCEDURE noop() LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END; $$;
CALL noop();
EOF
  write migrations/002_use.sql <<'EOF'
CREATE TABLE signs AS SELECT sign_of(-3) AS s;
EOF
  write migrations/003_bad.sql <<'EOF'
SELECT * FROM no_such_table;
EOF
  tide up --single-transaction
  expect_exit 1
  expect_stderr_contains "migrations/003_bad.sql:1:"
  expect_stderr_contains "rolled back"
  expect_pg_applied ""
  rm migrations/003_bad.sql
  tide up --single-transaction
  expect_exit 0
  expect_pg "SELECT s FROM signs" "neg"
  expect_pg_applied "001 002"
}

run_tests
