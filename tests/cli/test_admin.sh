#!/usr/bin/env bash
# Protected environments, baseline, repair, resolve and validate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

two_applied() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  tide up
  expect_exit 0
}

# ---- protected environments ------------------------------------------------------------

test_production_down_needs_yes() {
  two_applied
  tide --env production down
  expect_exit 2
  expect_stderr_contains "production"
  expect_stderr_contains "--yes"
  expect_applied "001 002"
  expect_table b
  tide --env production --yes down
  expect_exit 0
  expect_applied "001"
  expect_no_table b
  # --yes also works after the command.
  tide --env production down --yes
  expect_exit 0
  expect_applied ""
}

test_production_redo_needs_yes() {
  two_applied
  sql "INSERT INTO b VALUES (7)" >/dev/null
  TIDE_ENV=production tide redo
  expect_exit 2
  expect_sql "SELECT count(*) FROM b" 1
  TIDE_ENV=production tide -y redo
  expect_exit 0
  expect_sql "SELECT count(*) FROM b" 0
}

test_production_up_needs_no_yes() {
  project
  sql_migration 001_a.sql a
  tide --env production up
  expect_exit 0
  expect_applied "001"
  expect_sql "SELECT environment FROM tide_history" production
}

test_protected_list_from_config() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", protected = { "staging", "production" } }
EOF
  sql_migration 001_a.sql a
  tide up
  tide --env staging down
  expect_exit 2
  expect_applied "001"
  tide --env production down
  expect_exit 2
  tide down
  expect_exit 0
  expect_applied ""
  # An empty list protects nothing, production included.
  echo 'return { database = "sqlite:test.db", protected = {} }' >tide.lua
  tide up
  tide --env production down
  expect_exit 0
  expect_applied ""
}

# ---- baseline --------------------------------------------------------------------------

test_baseline_on_existing_database() {
  project
  sql_migration 001_a.sql a
  sql_migration 002_b.sql b
  sql_migration 003_c.sql c
  # A database made before tide: 001 and 002's tables exist already.
  "$SQLITE3" test.db "CREATE TABLE a (id integer primary key); CREATE TABLE b (id integer primary key);"
  tide up
  expect_exit 1
  expect_stderr_contains "already exists"
  tide baseline 002
  expect_exit 0
  expect_stdout_contains "2 migration(s)"
  expect_applied "001 002"
  local want
  want=$(sha256sum migrations/002_b.sql | cut -d' ' -f1)
  expect_sql "SELECT checksum FROM tide_history WHERE version = '002'" "$want"
  tide status --exit-code
  expect_exit 3
  expect_stdout_matches '^003 +c +pending'
  tide up
  expect_exit 0
  expect_applied "001 002 003"
  expect_table c
}

test_baseline_refused_on_managed_database() {
  two_applied
  sql_migration 003_c.sql c
  tide baseline 003
  expect_exit 5
  expect_stderr_contains "baseline"
  expect_applied "001 002"
}

test_baseline_below_every_version_is_a_usage_error() {
  project
  sql_migration 005_a.sql a
  tide baseline 001
  expect_exit 2
  expect_sql "SELECT count(*) FROM tide_history" 0
}

# ---- repair ----------------------------------------------------------------------------

test_repair_accepts_changed_and_forgets_missing() {
  project
  sql_migration 001_a.sql a
  sql_migration 002_b.sql b
  sql_migration 003_c.sql c
  tide up
  echo "-- reviewed" >>migrations/001_a.sql
  rm migrations/003_c.sql
  tide status --exit-code
  expect_exit 5
  tide repair
  expect_exit 0
  expect_stdout_contains "001"
  expect_stdout_contains "003"
  expect_applied "001 002"
  tide status --exit-code
  expect_exit 0
  tide repair
  expect_exit 0
  expect_stdout_contains "nothing to repair"
}

# ---- validate --------------------------------------------------------------------------

test_validate_good_project() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  write migrations/003_irrev.sql <<'EOF'
-- tide:up tide:irreversible
CREATE TABLE c (id integer);
EOF
  write migrations/004_irrev.lua <<'EOF'
return { irreversible = true, up = function(db) db:exec [[CREATE TABLE d (id integer)]] end }
EOF
  tide validate
  expect_exit 0
  expect_stdout_contains "4 migration(s) valid"
  # validate runs nothing.
  expect_no_table a
  tide up
  tide validate
  expect_exit 0
}

test_validate_lists_every_problem() {
  project
  sql_migration 001_a.sql a
  write migrations/002_nodown.sql <<'EOF'
CREATE TABLE b (id integer);
EOF
  write migrations/003_nodown.lua <<'EOF'
return { up = function(db) db:exec [[CREATE TABLE c (id integer)]] end }
EOF
  write migrations/004_parse.lua <<'EOF'
return {
  up = function(db)
    db:exec("CREATE TABLE d (id integer)"
  end,
}
EOF
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/002_nodown.sql"
  expect_stderr_contains "migrations/003_nodown.lua"
  expect_stderr_contains "no down"
  expect_stderr_contains "migrations/004_parse.lua:4:"
  expect_stderr_not_contains "001_a"
  expect_no_table a
}

test_validate_reports_changed_and_out_of_order() {
  project
  sql_migration 001_a.sql a
  sql_migration 003_c.sql c
  tide up
  sql_migration 002_b.sql b
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/002_b.sql"
  expect_stderr_contains "older"
  rm migrations/002_b.sql
  echo "-- edited" >>migrations/003_c.sql
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/003_c.sql"
  expect_stderr_contains "changed"
  # Each problem keeps its own way out.
  expect_stderr_contains "tide repair"
  expect_stderr_not_contains "irreversible"
}

test_validate_duplicate_versions() {
  project
  sql_migration 001_a.sql a
  sql_migration 001_b.sql b
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/001_a.sql"
  expect_stderr_contains "migrations/001_b.sql"
}

test_validate_bad_sql_directive() {
  project
  write migrations/001_a.sql <<'EOF'
-- tide:down
DROP TABLE a;
-- tide:up
CREATE TABLE a (id integer);
EOF
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/001_a.sql:1"
}

run_tests
