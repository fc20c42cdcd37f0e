#!/usr/bin/env bash
# Hooks, on_error and tide.step_aside on a real PostgreSQL server: a hook using ctx.db,
# a migration's on_error after PostgreSQL rolled its transaction back, a
# non-transactional migration's on_error compensating, the lock given up and taken
# back around tide.step_aside, and the postgres_template provider with another session
# connected (refused unless terminate = true). Each test has a database of its own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"

BG_PIDS=()

# A psql session that stays connected to the test's database for a minute; killed at
# the end of the script if the server has not ended it.
connect_idle_session() {
  (exec psql -X -q -d "$PG_URL" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 </dev/null) &
  BG_PIDS+=($!)
  trap 'for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done; pg_drop_databases; rm -rf "$T_ROOT"' EXIT
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(pg "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(60)%'
             AND pid <> pg_backend_pid()") == 1 ]] && return 0
    sleep 0.1
  done
  fail "the idle session did not connect"
}

test_hooks_use_ctx_db() {
  pg_project
  write tide.lua <<'EOF'
return {
  hooks = {
    before_migrate = function(ctx)
      ctx.db:exec("CREATE TABLE IF NOT EXISTS audit (event text, version text, applied integer)")
      ctx.db:exec("INSERT INTO audit VALUES ($1, NULL, $2)", ctx.event, #ctx.applied)
    end,
    after_each = function(ctx)
      local n = ctx.db:scalar("SELECT count(*) FROM items")
      ctx.db:exec("INSERT INTO audit VALUES ($1, $2, $3)", ctx.event .. ":" .. n, ctx.migration.version, #ctx.applied)
    end,
  },
}
EOF
  write migrations/001_items.sql <<'EOF'
CREATE TABLE items (id integer);
EOF
  write migrations/002_rows.sql <<'EOF'
INSERT INTO items VALUES (1), (2);
EOF
  tide up
  expect_exit 0
  expect_pg "SELECT string_agg(event || ' ' || coalesce(version, '-') || ' ' || applied, ', ' ORDER BY applied)
             FROM audit" "before_migrate - 0, after_each:0 001 1, after_each:2 002 2"
}

test_on_error_runs_after_postgresql_rolled_back() {
  pg_project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec("CREATE TABLE a (id integer)")
    db:exec("INSERT INTO nope VALUES (1)")
  end,
  down = function(db) db:exec("DROP TABLE a") end,
  on_error = function(db, err)
    -- the transaction is rolled back, and the connection is usable again
    local gone = db:scalar("SELECT to_regclass('a') IS NULL")
    local f = assert(io.open("on_error.log", "w"))
    f:write(string.format("%s %s %s", tostring(gone), err.sqlstate, tostring(err.line)))
    f:close()
  end,
}
EOF
  tide up
  expect_exit 1
  expect_eq "$(cat on_error.log)" "true 42P01 4" "what on_error saw"
  expect_stdout_contains "001 on_error ran: ok"
  expect_stderr_contains "SQLSTATE 42P01"
  expect_pg "SELECT count(*) FROM tide_history" 0
}

test_on_error_compensates_a_non_transactional_migration() {
  pg_project
  write migrations/001_index.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    db:exec("CREATE TABLE t (n integer)")
    db:exec("CREATE INDEX CONCURRENTLY t_n ON t (n)")
    db:exec("CREATE INDEX CONCURRENTLY t_missing ON no_such_table (n)")
  end,
  down = function(db) db:exec("DROP TABLE t") end,
  on_error = function(db, err)
    db:exec("DROP INDEX CONCURRENTLY IF EXISTS t_n")
    db:exec("DROP TABLE IF EXISTS t")
  end,
}
EOF
  tide up
  expect_exit 1
  expect_stdout_contains "001 on_error ran: ok; its dirty record was removed"
  expect_stderr_contains 'the next `up` runs it again'
  expect_pg "SELECT to_regclass('t') IS NULL AND to_regclass('t_n') IS NULL" t
  expect_pg "SELECT count(*) FROM tide_history" 0
}

# While this run stands aside, a second tide run on the same database applies the
# migrations (PostgreSQL advisory locks belong to a session: closing it released the
# lock); this run takes the lock back, sees the history changed and applies nothing.
test_step_aside_releases_the_advisory_lock_and_rechecks_the_history() {
  pg_project
  write migrations/001_a.sql <<'EOF'
CREATE TABLE a (id integer);
EOF
  mkdir -p other
  cp -r migrations other/
  write other/tide.lua <<EOF
return { database = "$PG_URL", lock_timeout = "2s" }
EOF
  write tide.lua <<EOF
return {
  hooks = {
    before_migrate = function(ctx)
      tide.step_aside(function()
        local r = assert(tide.exec{"$TIDE_BIN", "-C", "other", "up"})
        assert(r.code == 0, "the other run failed: " .. r.stderr)
      end)
    end,
  },
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "another tide run migrated this database in between"
  expect_stdout_not_contains "up 001"
  expect_pg_applied "001"
  expect_no_password
}

template_recipe() {
  local snap="${PG_URL##*/}_snap"
  echo "$snap" >>"$PG_DATABASES"
  write tide.lua <<EOF
local snap
return {
  hooks = {
    before_migrate      = function(ctx) snap = tide.snapshot.postgres_template.create{name = "$snap"$1} end,
    after_migrate_error = function(ctx) snap:restore() end,
    after_migrate       = function(ctx) snap:drop() end,
  },
}
EOF
  write migrations/001_a.sql <<'EOF'
CREATE TABLE a (id integer);
EOF
}

test_postgres_template_refuses_while_another_session_is_connected() {
  pg_project
  template_recipe ""
  connect_idle_session
  tide up
  expect_exit 1
  expect_stderr_contains "being accessed by other users"
  expect_stderr_contains "pass terminate = true"
  expect_stderr_contains "the run stopped before changing anything"
  expect_pg "SELECT to_regclass('a') IS NULL" t
  expect_pg "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" 1
}

test_postgres_template_terminate_ends_other_sessions() {
  pg_project
  template_recipe ", terminate = true"
  connect_idle_session
  tide up
  expect_exit 0
  expect_stdout_contains "snapshot: copied database"
  expect_pg_applied "001"
  expect_pg "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" 0
  expect_pg "SELECT count(*) FROM pg_database WHERE datname = '${PG_URL##*/}_snap'" 0
}

run_tests
