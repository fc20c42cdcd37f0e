#!/usr/bin/env bash
# The MariaDB server stops for real while a migration runs (`mariadb-admin shutdown`, or
# SIGKILL of mariadbd as a crash or an OOM kill would): a row-only migration's transaction
# is gone and tide says it was rolled back; a DDL migration, recorded dirty before it
# started, stays dirty and tide says so; nothing crashes, and once the server is back
# `tide status` shows what the history says. These tests stop their server, so they
# start a private one (scripts/db-servers) instead of the shared TIDE_TEST_MYSQL_URL.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Only for the skip / require logic: the helpers are loaded again for the private server.
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"

SCRIPTS=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../../scripts")

# A private server for the whole script, stopped on every exit path.
PRIVATE_ENV="$T_ROOT/.private-env"
"$SCRIPTS/db-servers" start mariadb >"$PRIVATE_ENV" || { echo "cannot start a private MariaDB" >&2; exit 1; }
# shellcheck disable=SC1090
PRIVATE_DIR=$(source "$PRIVATE_ENV" && echo "$TIDE_DB_DIR")
trap 'TIDE_DB_DIR=$PRIVATE_DIR "$SCRIPTS/db-servers" stop >/dev/null 2>&1; rm -rf "$T_ROOT"' EXIT
# shellcheck disable=SC1090
source "$PRIVATE_ENV"
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"

# mariadb_launch (scripts/db/mariadb.sh) starts the server again with the same settings.
say() { :; }
die() { fail "$*"; }
# shellcheck source=../../scripts/db/mariadb.sh
source "$SCRIPTS/db/mariadb.sh"

server_shutdown() {
  mariadb-admin --no-defaults --protocol=socket --socket="$TIDE_TEST_MYSQL_SOCKET" -uroot shutdown >/dev/null 2>&1 ||
    fail "mariadb-admin shutdown failed"
}

server_kill() {
  local pid
  pid=$(cat "$(mariadb_dir)/mysqld.pid") || fail "no mysqld.pid"
  kill -KILL "$pid" || fail "cannot kill mariadbd ($pid)"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# run_and_stop_server shutdown|kill ARGS...: runs tide ARGS in the background until its
# migration sits in SELECT SLEEP, stops the server under it, waits for tide, and starts
# the server again. RC, OUT and ERR are tide's, as after `tide`.
run_and_stop_server() {
  local how=$1 i id=""
  shift
  (exec timeout 120 "$TIDE_BIN" "$@" >"$T_DIR/.bg.out" 2>"$T_DIR/.bg.err" </dev/null) &
  local pid=$!
  for ((i = 0; i < 300; i++)); do
    id=$(mq "SELECT id FROM information_schema.processlist WHERE db = '$MY_DB' AND info LIKE 'SELECT SLEEP%'")
    [[ -n $id ]] && break
    sleep 0.1
  done
  [[ -n $id ]] || { kill -9 $pid; fail "the migration never reached its SLEEP: $(cat "$T_DIR"/.bg.*)"; }
  "server_$how"
  RC=0
  wait $pid || RC=$?
  OUT="$T_DIR/.bg.out"
  ERR="$T_DIR/.bg.err"
  T_LAST_CMD="tide $* (server stopped by $how mid-run)"
  mariadb_launch
}

expect_connection_lost() {
  expect_exit 1  # a failed migration, not a signal (128+N) or an internal error
  expect_stderr_matches "Lost connection|server has gone away|Server shutdown in progress"
  ! grep -qF "$MY_PASS" "$OUT" "$ERR" || fail "the password appears in the output"
}

# The migration's SLEEP is cut short, so the sed below makes the file runnable again:
# the checksum of a migration that was never recorded applied does not matter.
row_only_migration() {
  write "migrations/$1" <<'EOF'
INSERT INTO t VALUES (1);
SELECT SLEEP(60);
INSERT INTO t VALUES (2);
EOF
}

ddl_migration() {
  write "migrations/$1" <<'EOF'
CREATE TABLE before_stop (id INT);
SELECT SLEEP(60);
CREATE TABLE after_stop (id INT);
EOF
}

count_tables() {
  mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = '$1'"
}

# stopped_row_only shutdown|kill: a row-only migration cut off by the server stopping is
# gone (InnoDB's recovery rolls it back after a kill), and tide says nothing was recorded.
stopped_row_only() {
  mysql_project
  mq "CREATE TABLE t (id INT PRIMARY KEY)"
  row_only_migration 001_rows.sql
  run_and_stop_server "$1" up
  expect_connection_lost
  expect_stderr_contains "migrations/001_rows.sql:2:"
  expect_stderr_contains "the migration was rolled back; nothing was recorded"
  expect_mq "SELECT COUNT(*) FROM t" 0
  expect_mq "SELECT COUNT(*) FROM tide_history" 0
  tide status
  expect_exit 0
  expect_stdout_contains "0 applied, 1 pending"
}

# stopped_ddl shutdown|kill: a DDL migration cut off keeps the dirty mark committed
# before it started; tide says so, and the next run stops there.
stopped_ddl() {
  mysql_project
  ddl_migration 001_tables.sql
  run_and_stop_server "$1" up
  expect_connection_lost
  expect_stderr_contains "migrations/001_tables.sql:2:"
  expect_stderr_contains "marked dirty"
  expect_stderr_contains "tide resolve 001"
  expect_history 001 dirty
  [[ $(count_tables before_stop) == 1 && $(count_tables after_stop) == 0 ]] || fail "expected only before_stop"
  tide status
  expect_exit 0
  expect_stdout_contains "dirty"
  tide up
  expect_exit 5
  expect_stderr_contains "migration 001 is dirty"
}

test_row_only_migration_is_rolled_back_on_shutdown() {
  stopped_row_only shutdown
  # Nothing to repair: the next run applies it.
  sed -i 's/SLEEP(60)/SLEEP(0)/' migrations/001_rows.sql
  tide up
  expect_exit 0
  expect_mq "SELECT COUNT(*) FROM t" 2
  expect_history 001 applied
}

test_row_only_migration_is_rolled_back_on_kill() { stopped_row_only kill; }

test_ddl_migration_stays_dirty_on_shutdown() { stopped_ddl shutdown; }

test_ddl_migration_stays_dirty_on_kill() {
  stopped_ddl kill
  # Its first statement ran; the way out the message names works.
  mq "DROP TABLE before_stop"
  sed -i 's/SLEEP(60)/SLEEP(0)/' migrations/001_tables.sql
  tide resolve 001 --rolled-back
  expect_exit 0
  tide up
  expect_exit 0
  expect_history 001 applied
}

# A DDL migration completed, and the next (row-only) one is cut off: the first one's
# applied mark was to commit with the second one's transaction (one commit per
# migration), so it stays dirty, and tide says that it completed.
test_completed_migration_before_the_stop_is_named() {
  mysql_project
  write migrations/001_t.sql <<'EOF'
CREATE TABLE t (id INT PRIMARY KEY);
EOF
  row_only_migration 002_rows.sql
  run_and_stop_server kill up
  expect_connection_lost
  expect_stderr_contains "migrations/002_rows.sql:2:"
  expect_stderr_contains "the migration was rolled back; nothing was recorded"
  expect_stderr_contains "001 completed"
  expect_stderr_contains "tide resolve 001 --applied"
  expect_history 001 dirty
  expect_mq "SELECT COUNT(*) FROM tide_history WHERE version = '002'" 0
  tide status
  expect_exit 0
  expect_stdout_contains "dirty"
}

run_tests
