#!/usr/bin/env bash
# The issue's "Bad input" list: each case gives a clear message naming the file (and the
# line where there is one), the right exit code, and leaves nothing half-applied.
# (Locks and killed processes are in test_concurrency.sh, plugins in test_plugins.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

expect_nothing_recorded() {
  [[ -f "$DB" ]] || return 0
  expect_sql "SELECT count(*) FROM sqlite_master WHERE name = 'tide_history'" 1
  expect_sql "SELECT count(*) FROM tide_history" 0
}

# ---- Lua -------------------------------------------------------------------------------

test_lua_syntax_error_names_file_and_line() {
  project
  write migrations/001_syntax.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
  end
  down = function(db) end,
}
EOF
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_syntax.lua:5:"
  expect_stderr_contains "'}' expected"
  expect_no_table a
  expect_nothing_recorded
}

test_lua_syntax_error_stops_before_anything_runs_after_it() {
  project
  lua_migration 001_ok.lua ok
  write migrations/002_syntax.lua <<'EOF'
return { up = function(db) db:exec("x" end }
EOF
  lua_migration 003_later.lua later
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/002_syntax.lua:1:"
  expect_no_table later
  expect_sql "SELECT count(*) FROM tide_history WHERE version IN ('002', '003')" 0
}

test_lua_runtime_error_in_up_has_traceback_into_the_file() {
  project
  write migrations/001_runtime.lua <<'EOF'
local function fill(db)
  db:exec [[INSERT INTO a VALUES (1)]]
  local t = nil
  return t.field
end

return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    fill(db)
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_runtime.lua:4:"
  expect_stderr_contains "attempt to index"
  # The traceback goes through the helper and up, with their lines in the file.
  expect_stderr_contains "migrations/001_runtime.lua:10:"
  expect_stderr_contains "traceback"
  expect_no_table a
  expect_nothing_recorded
}

test_lua_error_call_in_up() {
  project
  write migrations/001_err.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    error("refusing to continue: data looks wrong")
  end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_err.lua:4: refusing to continue: data looks wrong"
  expect_no_table a
  expect_nothing_recorded
}

test_sql_error_from_lua_db_exec_names_the_lua_line() {
  project
  write migrations/001_exec.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]

    db:exec [[INSERT INTO missing_table VALUES (1)]]
  end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_exec.lua:5"
  expect_stderr_contains "no such table: missing_table"
  expect_no_table a
  expect_nothing_recorded
}

test_lua_error_objects_keep_their_text() {
  project
  write migrations/001_obj.lua <<'EOF'
local Problem = { __tostring = function(p) return "problem: " .. p.what end }
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    error(setmetatable({ what = "rows do not add up" }, Problem))
  end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "problem: rows do not add up"
  expect_stderr_contains "migrations/001_obj.lua:5"
  expect_no_table a
  write migrations/001_obj.lua <<'EOF'
return { up = function(db) error({ code = 42 }) end }
EOF
  tide up
  expect_exit 1
  # A table without __tostring has no text of its own: say what it is, where it came from.
  expect_stderr_contains "error: migrations/001_obj.lua: (error object is a table value)"
  expect_nothing_recorded
}

test_failing_down_reverts_nothing() {
  project
  sql_migration 001_a.sql a
  write migrations/002_b.lua <<'EOF'
return {
  up = function(db) db:exec [[CREATE TABLE b (id integer)]] end,
  down = function(db)
    db:exec [[DROP TABLE b]]
    db:exec [[DROP TABLE not_there]]
  end,
}
EOF
  tide up
  tide down --all
  expect_exit 1
  expect_stderr_contains "migrations/002_b.lua:5"
  expect_stderr_contains "no such table: not_there"
  expect_table b
  expect_applied "001 002"
  write migrations/003_c.sql <<'EOF'
-- tide:up
CREATE TABLE c (id integer);
-- tide:down
DROP TABLE c;
DROP TABLE c;
EOF
  tide up
  tide down
  expect_exit 1
  expect_stderr_contains "migrations/003_c.sql:5"
  expect_table c
  expect_applied "001 002 003"
}

test_lua_migration_not_returning_a_table() {
  project
  write migrations/001_nothing.lua <<'EOF'
local x = 1
EOF
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_nothing.lua"
  expect_stderr_contains "must return a table"
}

# ---- SQL -------------------------------------------------------------------------------

test_sql_error_names_line_and_sqlite_message() {
  project
  write migrations/001_bad.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);

-- a comment and a blank line before the failing statement
INSERT INTO a VALUES (1);
INSERT INTO no_such_table VALUES (2);
-- tide:down
DROP TABLE a;
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_bad.sql:6"
  expect_stderr_contains "no such table: no_such_table"
  expect_stderr_contains "INSERT INTO no_such_table"
  # The first statement's table did not survive, and nothing was recorded.
  expect_no_table a
  expect_nothing_recorded
}

test_sql_error_in_multiline_statement() {
  project
  write migrations/001_ml.sql <<'EOF'
CREATE TABLE a (id integer);
CREATE TABLE b (
  id integer,
  ,
  name text
);
EOF
  tide up
  expect_exit 1
  # The statement starts on line 2; SQLite points at the stray comma on line 4. Either
  # is a line in the failing statement.
  expect_stderr_matches 'migrations/001_ml\.sql:(2|4)\b'
  expect_stderr_contains "syntax error"
  expect_no_table a
  expect_nothing_recorded
}

test_sql_error_later_migration_keeps_earlier_ones() {
  project
  sql_migration 001_a.sql a
  write migrations/002_bad.sql <<'EOF'
CREATE TABLE b (id integer);
CREATE TABLE a (id integer);
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/002_bad.sql:2"
  expect_stderr_contains "already exists"
  expect_applied "001"
  expect_no_table b
  expect_sql "SELECT count(*) FROM tide_history WHERE version = '002'" 0
  # Fixing the file lets the next run apply it.
  write migrations/002_bad.sql <<'EOF'
CREATE TABLE b (id integer);
EOF
  tide up
  expect_exit 0
  expect_applied "001 002"
}

test_unknown_sql_directive() {
  project
  write migrations/001_typo.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);
-- tide:dwon
DROP TABLE a;
EOF
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_typo.sql:3"
  expect_stderr_contains "tide:dwon"
  expect_no_table a
}

# ---- the catalog -----------------------------------------------------------------------

test_two_files_with_one_version() {
  project
  sql_migration 001_first.sql first
  lua_migration 001_second.lua second
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_first.sql"
  expect_stderr_contains "migrations/001_second.lua"
  expect_no_table first
  expect_no_table second
  tide status
  expect_exit 5
  tide validate
  expect_exit 5
}

test_same_version_with_different_padding_is_a_duplicate() {
  project
  sql_migration 1_first.sql first
  sql_migration 001_second.sql second
  tide up
  expect_exit 5
  expect_stderr_contains "1_first.sql"
  expect_stderr_contains "001_second.sql"
}

test_empty_migration_files() {
  project
  : >migrations/001_empty.sql
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_empty.sql"
  expect_stderr_contains "empty"
  expect_nothing_recorded
  rm migrations/001_empty.sql
  printf '\n   \n' >migrations/001_blank.lua
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_blank.lua"
  expect_stderr_contains "empty"
  rm migrations/001_blank.lua
  write migrations/001_sections.sql <<'EOF'
-- tide:up
-- only a comment here
-- tide:down
DROP TABLE x;
EOF
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_sections.sql"
  expect_nothing_recorded
}

test_file_edited_after_applied() {
  project
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  tide up
  expect_exit 0
  sed -i 's/id integer primary key/id integer primary key, extra text/' migrations/001_a.sql
  sql_migration 003_c.sql c
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/001_a.sql"
  expect_stderr_contains "changed"
  expect_stderr_contains "repair"
  expect_no_table c
  tide status
  expect_stdout_matches '^001 +a +changed'
  # repair accepts the new checksum; then up works.
  tide repair
  expect_exit 0
  local want
  want=$(sha256sum migrations/001_a.sql | cut -d' ' -f1)
  expect_sql "SELECT checksum FROM tide_history WHERE version = '001'" "$want"
  tide up
  expect_exit 0
  expect_applied "001 002 003"
}

test_missing_down_on_down() {
  project
  sql_migration 001_a.sql a
  write migrations/002_b.sql <<'EOF'
CREATE TABLE b (id integer);
EOF
  write migrations/003_c.lua <<'EOF'
return { up = function(db) db:exec [[CREATE TABLE c (id integer)]] end }
EOF
  tide up
  expect_exit 0
  tide down
  expect_exit 5
  expect_stderr_contains "migrations/003_c.lua"
  expect_stderr_contains "no down"
  expect_applied "001 002 003"
  expect_table c
  # down --all checks every down first: nothing is reverted, not even 001.
  tide down --all
  expect_exit 5
  expect_applied "001 002 003"
  expect_table a
}

test_missing_down_in_the_middle_reverts_nothing() {
  project
  sql_migration 001_a.sql a
  write migrations/002_b.sql <<'EOF'
CREATE TABLE b (id integer);
EOF
  sql_migration 003_c.sql c
  tide up
  tide down --step 2
  expect_exit 5
  expect_stderr_contains "migrations/002_b.sql"
  expect_applied "001 002 003"
  expect_table c
}

# `tide new --sql` leaves an empty `-- tide:down`: reverting with it must not drop the
# history row while the table stays (the next up would then fail on "already exists").
test_empty_down_section_is_no_down() {
  project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);
-- tide:down

EOF
  tide up
  expect_exit 0
  tide down
  expect_exit 5
  expect_stderr_contains "migrations/001_a.sql"
  expect_stderr_contains "no down"
  expect_applied "001"
  tide validate
  expect_exit 5
  expect_stderr_contains "migrations/001_a.sql"
}

test_irreversible_migration_on_down() {
  project
  write migrations/001_drop.sql <<'EOF'
-- tide:up tide:irreversible
CREATE TABLE a (id integer);
EOF
  tide up
  tide down
  expect_exit 5
  expect_stderr_contains "migrations/001_drop.sql"
  expect_stderr_contains "irreversible"
  expect_applied "001"
}

test_older_pending_after_newer_applied() {
  project
  sql_migration 001_a.sql a
  sql_migration 004_d.sql d
  tide up
  sql_migration 002_b.sql b
  sql_migration 003_c.sql c
  sql_migration 005_e.sql e
  tide up
  expect_exit 5
  expect_stderr_contains "migrations/002_b.sql"
  expect_stderr_contains "migrations/003_c.sql"
  expect_stderr_contains "--allow-out-of-order"
  expect_stderr_not_contains "005_e"
  expect_applied "001 004"
  expect_no_table e
  tide up --allow-out-of-order
  expect_exit 0
  expect_applied "001 002 003 004 005"
  expect_table b
}

test_applied_migration_whose_file_is_gone() {
  project
  sql_migration 001_a.sql a
  sql_migration 002_b.sql b
  tide up
  rm migrations/002_b.sql
  sql_migration 003_c.sql c
  tide up
  expect_exit 5
  expect_stderr_contains "002"
  expect_no_table c
  tide status
  expect_stdout_matches '^002 +b +missing'
  tide repair
  expect_exit 0
  tide up
  expect_exit 0
  expect_applied "001 003"
}

# ---- connection and config -------------------------------------------------------------

test_unknown_url_scheme() {
  project
  sql_migration 001_a.sql a
  tide --database foo://x up
  expect_exit 2
  expect_stderr_contains '"foo:"'
  [[ ! -e x ]] || fail "an unknown scheme created a file"
  tide --database no-scheme-here up
  expect_exit 2
  expect_stderr_contains "no scheme"
}

test_database_file_that_is_not_sqlite() {
  project
  sql_migration 001_a.sql a
  echo "this is a text file, not an SQLite database; it goes on for a while to fill a page." >test.db
  for _ in 1 2 3 4 5 6; do cat test.db test.db >t && mv t test.db; done
  local before
  before=$(sha256sum test.db)
  tide up
  expect_exit 1
  expect_stderr_contains "test.db"
  expect_stderr_contains "not a database"
  expect_eq "$(sha256sum test.db)" "$before" "the non-database file's content"
  head -c 8192 /dev/urandom >random.db
  tide --database sqlite:random.db status
  expect_exit 1
  expect_stderr_contains "random.db"
  expect_stderr_contains "not a database"
}

test_config_that_does_not_return_a_table() {
  sql_migration 001_a.sql a
  write tide.lua <<'EOF'
local config = { database = "sqlite:test.db" }
EOF
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua"
  expect_stderr_contains "must return a table"
  [[ ! -e test.db ]] || fail "the database was touched despite the bad config"
  echo 'return "sqlite:test.db"' >tide.lua
  tide status
  expect_exit 2
  expect_stderr_contains "tide.lua"
  expect_stderr_contains "string"
}

test_config_with_unknown_key() {
  sql_migration 001_a.sql a
  write tide.lua <<'EOF'
return { databse = "sqlite:test.db" }
EOF
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua"
  expect_stderr_contains "databse"
  [[ ! -e db ]] || fail "the default database was used despite the bad config"
}

test_config_with_wrong_value_type() {
  sql_migration 001_a.sql a
  echo 'return { database = "sqlite:test.db", lock_timeout = "soon" }' >tide.lua
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua"
  expect_stderr_contains "lock_timeout"
  echo 'return { database = 42 }' >tide.lua
  tide up
  expect_exit 2
  expect_stderr_contains "database"
}

test_config_with_syntax_or_runtime_error() {
  sql_migration 001_a.sql a
  printf 'return {\n  database = "sqlite:test.db"\n  environment = "x",\n}\n' >tide.lua
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua:3:"
  printf 'local x = nil\nreturn { database = x.url }\n' >tide.lua
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua:2:"
}

# os.exit() would end tide inside the migration's transaction with a misleading code.
test_os_exit_in_a_migration_is_an_error() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    os.exit(3)
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_a.lua:4: os.exit() is not allowed"
  expect_no_table a
  expect_sql "SELECT count(*) FROM tide_history" 0
}

# A URL the driver cannot read is a usage error (2), not a failed migration (1); the
# scheme is case-insensitive.
test_bad_url_is_a_usage_error_and_schemes_ignore_case() {
  project
  sql_migration 001_a.sql a
  tide --database "sqlite:" up
  expect_exit 2
  expect_stderr_contains "bad database URL"
  tide --database "SQLite:upper.db" up
  expect_exit 0
  expect_table a upper.db
}

run_tests
