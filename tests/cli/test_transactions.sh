#!/usr/bin/env bash
# Transactions: non-transactional migrations, --single-transaction, and checksums that
# ignore line endings.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_lua_transaction_false_applies_and_is_recorded_applied() {
  project
  lua_migration 001_a.lua a
  write migrations/002_vacuum.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    -- VACUUM cannot run inside a transaction: this only works outside one.
    db:exec [[CREATE TABLE b (id integer)]]
    db:exec [[VACUUM]]
  end,
  down = function(db) db:exec [[DROP TABLE b]] end,
}
EOF
  tide up
  expect_exit 0
  expect_applied "001 002"
  expect_table b
  expect_sql "SELECT status FROM tide_history WHERE version = '002'" applied
  tide down
  expect_exit 0
  expect_applied "001"
  expect_no_table b
}

test_sql_no_transaction_directive() {
  project
  write migrations/001_vacuum.sql <<'EOF'
-- tide:up tide:no-transaction
CREATE TABLE a (id integer);
VACUUM;
-- tide:down
DROP TABLE a;
EOF
  write migrations/002_own_line.sql <<'EOF'
-- tide:no-transaction
-- tide:up
CREATE TABLE b (id integer);
VACUUM;
-- tide:down
DROP TABLE b;
EOF
  tide up
  expect_exit 0
  expect_applied "001 002"
  expect_table a
  expect_table b
  expect_sql "SELECT count(*) FROM tide_history WHERE status = 'applied'" 2
}

# Without the directive the same VACUUM fails (it runs inside the migration's
# transaction), which shows the directive is what made the difference above.
test_vacuum_fails_inside_a_transaction() {
  project
  write migrations/001_vacuum.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);
VACUUM;
EOF
  tide up
  expect_exit 1
  expect_no_table a
  expect_sql "SELECT count(*) FROM tide_history" 0
}

three_migrations_third_fails() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  write migrations/003_bad.sql <<'EOF'
-- tide:up
CREATE TABLE c (id integer);
INSERT INTO no_such_table VALUES (1);
-- tide:down
DROP TABLE c;
EOF
}

test_single_transaction_all_or_nothing() {
  three_migrations_third_fails
  tide up --single-transaction
  expect_exit 1
  expect_stderr_contains "003_bad.sql"
  expect_stderr_contains "no_such_table"
  expect_no_table a
  expect_no_table b
  expect_no_table c
  expect_sql "SELECT count(*) FROM tide_history" 0
}

test_without_single_transaction_earlier_migrations_stay() {
  three_migrations_third_fails
  tide up
  expect_exit 1
  expect_applied "001 002"
  expect_table a
  expect_table b
  expect_no_table c
}

test_single_transaction_success() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  sql_migration 003_c.sql c
  tide up --single-transaction
  expect_exit 0
  expect_applied "001 002 003"
  expect_table c
}

test_single_transaction_refuses_non_transactional_migration() {
  project
  sql_migration 001_a.sql a
  write migrations/002_idx.lua <<'EOF'
return {
  transaction = false,
  up = function(db) db:exec [[CREATE TABLE b (id integer)]] end,
  down = function(db) db:exec [[DROP TABLE b]] end,
}
EOF
  tide up --single-transaction
  expect_exit 2
  expect_stderr_contains "002_idx.lua"
  expect_no_table a
  expect_no_table b
  expect_sql "SELECT count(*) FROM tide_history" 0
}

test_single_transaction_refuses_no_transaction_sql() {
  project
  lua_migration 001_a.lua a
  write migrations/002_v.sql <<'EOF'
-- tide:no-transaction
CREATE TABLE b (id integer);
EOF
  tide up --single-transaction
  expect_exit 2
  expect_stderr_contains "002_v.sql"
  expect_no_table a
}

test_crlf_conversion_is_not_a_change() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  tide up
  expect_exit 0
  local before
  before=$(sql "SELECT checksum FROM tide_history WHERE version = '001'")
  for f in migrations/*; do sed -i 's/$/\r/' "$f"; done
  grep -q $'\r' migrations/001_a.sql || fail "test setup: the file was not converted to CRLF"
  tide status --exit-code
  expect_exit 0
  expect_stdout_not_contains "changed"
  sql_migration 003_c.sql c
  tide up
  expect_exit 0
  expect_applied "001 002 003"
  expect_sql "SELECT checksum FROM tide_history WHERE version = '001'" "$before"
  tide validate
  expect_exit 0
}

test_crlf_file_applies_with_lf_checksum() {
  project
  printf -- '-- tide:up\r\nCREATE TABLE a (id integer);\r\n-- tide:down\r\nDROP TABLE a;\r\n' >migrations/001_a.sql
  tide up
  expect_exit 0
  expect_table a
  local want
  want=$(tr -d '\r' <migrations/001_a.sql | sha256sum | cut -d' ' -f1)
  expect_sql "SELECT checksum FROM tide_history" "$want"
  tide down
  expect_exit 0
  expect_no_table a
}

test_real_edit_is_a_change() {
  project
  sql_migration 001_a.sql a
  tide up
  echo "-- a comment added later" >>migrations/001_a.sql
  tide status --exit-code
  expect_exit 5
  expect_stdout_matches '^001 +a +changed'
}

# A migration that commits tide's transaction itself cannot be rolled back any more:
# tide must not claim it was, and must leave a dirty record.
test_migration_that_commits_itself_is_recorded_dirty() {
  project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);
COMMIT;
CREATE TABLE b (id integer);
INSERT INTO nope VALUES (1);
-- tide:down
DROP TABLE a;
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "ended tide's transaction"
  expect_stderr_not_contains "rolled back"
  expect_sql "SELECT status FROM tide_history WHERE version = '001'" "dirty"
  expect_table a
  tide up
  expect_exit 5
  expect_stderr_contains "dirty"
}

run_tests
