#!/usr/bin/env bash
# The server shut down (pg_ctl stop -m immediate) while a migration runs: a
# transactional one is rolled back by the server and tide says so; a non-transactional
# one stays dirty and tide says so. These tests stop their server, so they start a
# private one (scripts/db-servers) instead of the shared TIDE_TEST_POSTGRES_URL.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Only for the skip / require logic and helpers: the URL is replaced below.
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

DB_SERVERS=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../../scripts/db-servers")

# A private cluster for the whole script, stopped on every exit path.
PRIVATE_ENV="$T_ROOT/.private-env"
"$DB_SERVERS" start postgres >"$PRIVATE_ENV" || { echo "cannot start a private PostgreSQL" >&2; exit 1; }
# shellcheck disable=SC1090
PRIVATE_DIR=$(source "$PRIVATE_ENV" && echo "$TIDE_DB_DIR")
trap 'TIDE_DB_DIR=$PRIVATE_DIR "$DB_SERVERS" stop >/dev/null 2>&1; rm -rf "$T_ROOT"' EXIT
# shellcheck disable=SC1090
source "$PRIVATE_ENV"
PG_BASE_URL=$TIDE_TEST_POSTGRES_URL
PG_DATA=$TIDE_DB_DIR/postgres/data

pg_ctl_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$TIDE_TEST_POSTGRES_BIN/pg_ctl" -D "$PG_DATA" "$@"
  else
    "$TIDE_TEST_POSTGRES_BIN/pg_ctl" -D "$PG_DATA" "$@"
  fi
}

server_stop_now() { pg_ctl_as_owner -m immediate -w stop >/dev/null 2>&1 || fail "pg_ctl stop failed"; }
server_start() { pg_ctl_as_owner -l "$TIDE_DB_DIR/postgres/server.log" -w -t 60 start >/dev/null 2>&1 || fail "pg_ctl start failed"; }

# Runs tide in the background until its migration logs "sleeping", then stops the
# server under it; TIDE_RC / the files .bg.out and .bg.err hold what tide did.
run_and_stop_server() {
  (exec "$TIDE_BIN" --json "$@" >"$T_DIR/.bg.out" 2>"$T_DIR/.bg.err" </dev/null) &
  local pid=$! i
  for ((i = 0; i < 200; i++)); do
    grep -qF "sleeping" "$T_DIR/.bg.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -qF "sleeping" "$T_DIR/.bg.out" || { kill -9 $pid; fail "the migration never started: $(cat "$T_DIR"/.bg.*)"; }
  server_stop_now
  TIDE_RC=0
  wait $pid || TIDE_RC=$?
  OUT="$T_DIR/.bg.out"
  ERR="$T_DIR/.bg.err"
  RC=$TIDE_RC
  T_LAST_CMD="tide --json $* (server stopped mid-run)"
  server_start
}

slow_migration() {
  write "migrations/$1" <<EOF
return {
  transaction = $2,
  up = function(db)
    db:exec("CREATE TABLE half (n int)")
    tide.log("sleeping")
    tide.sleep(4) -- pg_ctl stop -m immediate takes well under a second
    db:exec("INSERT INTO half VALUES (1)")
  end,
}
EOF
}

test_transactional_migration_is_rolled_back_and_tide_says_so() {
  pg_project
  sql_migration 001_first.sql first
  slow_migration 002_slow.lua true
  run_and_stop_server up
  expect_exit 1
  expect_stderr_contains "connection to the server was lost"
  expect_stderr_contains "rolled back"
  expect_no_password
  expect_pg_applied "001"
  expect_pg "SELECT count(*) FROM pg_tables WHERE tablename = 'half'" 0
  # Nothing to repair: the next run applies it.
  sed -i 's/tide.sleep(4)/tide.sleep(0)/' migrations/002_slow.lua
  tide up
  expect_exit 0
  expect_pg_applied "001 002"
}

test_non_transactional_migration_stays_dirty_and_tide_says_so() {
  pg_project
  slow_migration 001_slow.lua false
  run_and_stop_server up
  expect_exit 1
  expect_stderr_contains "connection to the server was lost"
  expect_stderr_contains "marked dirty"
  expect_stderr_contains "tide resolve 001"
  expect_pg "SELECT status FROM tide_history WHERE version = '001'" "dirty"
  expect_pg "SELECT count(*) FROM pg_tables WHERE tablename = 'half'" 1
  tide up
  expect_exit 5
  expect_stderr_contains "migration 001 is dirty"
}

run_tests
