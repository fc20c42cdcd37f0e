#!/usr/bin/env bash
# init, new, --help and usage errors.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_init_creates_config_and_folders() {
  tide init
  expect_exit 0
  [[ -f tide.lua ]] || fail "tide.lua not created"
  [[ -d migrations ]] || fail "migrations/ not created"
  [[ -d seeds ]] || fail "seeds/ not created"
  expect_stdout_contains "created tide.lua"
  # The scaffolded config is valid: a command that reads it works.
  tide status
  expect_exit 0
  expect_stdout_contains "0 applied, 0 pending"
}

test_init_twice_keeps_existing_config() {
  tide init
  echo 'return { database = "sqlite:mine.db" }' >tide.lua
  tide init
  expect_exit 0
  grep -q 'mine.db' tide.lua || fail "a second init overwrote tide.lua"
  expect_stdout_contains "nothing to do"
}

test_new_lua_migration() {
  tide init
  tide new "Create users"
  expect_exit 0
  local files=(migrations/*)
  expect_eq "${#files[@]}" 1 "number of files in migrations/"
  [[ "${files[0]}" =~ ^migrations/[0-9]{14}_create_users\.lua$ ]] || fail "unexpected file name ${files[0]}"
  grep -q 'up = function(db)' "${files[0]}" || fail "the Lua template has no up function"
  grep -q 'down = function(db)' "${files[0]}" || fail "the Lua template has no down function"
  expect_stdout_contains "${files[0]}"
}

test_new_sql_migration() {
  tide init
  tide new add_users_role --sql
  expect_exit 0
  local files=(migrations/*)
  expect_eq "${#files[@]}" 1 "number of files in migrations/"
  [[ "${files[0]}" =~ ^migrations/[0-9]{14}_add_users_role\.sql$ ]] || fail "unexpected file name ${files[0]}"
  grep -q -- '-- tide:up' "${files[0]}" || fail "no -- tide:up in the SQL template"
  grep -q -- '-- tide:down' "${files[0]}" || fail "no -- tide:down in the SQL template"
}

test_new_twice_in_one_second_gives_distinct_versions() {
  tide init
  tide new first
  tide new second
  expect_exit 0
  local files=(migrations/*)
  expect_eq "${#files[@]}" 2 "number of files"
  local v1=${files[0]#migrations/} v2=${files[1]#migrations/}
  [[ "${v1%%_*}" < "${v2%%_*}" ]] || fail "versions not increasing: ${files[*]}"
}

test_new_follows_sequential_numbering() {
  tide init
  lua_migration 001_a.lua a
  lua_migration 002_b.lua b
  tide new third
  expect_exit 0
  [[ -f migrations/003_third.lua ]] || fail "expected migrations/003_third.lua, got: $(ls migrations)"
}

test_init_and_new_with_dash_C_and_configured_folder() {
  mkdir proj
  tide -C proj init
  expect_exit 0
  [[ -f proj/tide.lua && -d proj/migrations ]] || fail "init -C proj did not scaffold proj/"
  [[ ! -e tide.lua ]] || fail "init -C proj wrote tide.lua in the current folder"
  echo 'return { database = "sqlite:x.db", migrations = "db/migrate" }' >proj/tide.lua
  tide -C proj new add_x --sql
  expect_exit 0
  local files=(proj/db/migrate/*_add_x.sql)
  [[ -f "${files[0]}" ]] || fail "new did not write into the configured folder: $(find proj)"
}

test_new_without_name_is_a_usage_error() {
  tide init
  tide new
  expect_exit 2
  expect_stderr_contains "NAME"
}

test_help_top_level() {
  tide --help
  expect_exit 0
  for cmd in init new up down redo status validate baseline repair resolve drivers; do
    expect_stdout_contains "$cmd"
  done
  expect_stdout_contains "--database"
  expect_stdout_contains "Exit codes"
}

test_help_on_subcommands() {
  tide up --help
  expect_exit 0
  expect_stdout_contains "--step"
  expect_stdout_contains "--single-transaction"
  tide down --help
  expect_exit 0
  expect_stdout_contains "--all"
  tide status --help
  expect_exit 0
  expect_stdout_contains "--exit-code"
  tide help 2>/dev/null
  [[ "$RC" == 0 || "$RC" == 2 ]] || fail "tide help crashed with $RC"
}

test_version() {
  tide --version
  expect_exit 0
  expect_stdout_matches '^tide [0-9]+\.[0-9]+\.[0-9]+'
}

test_unknown_option_is_exit_2() {
  project
  tide up --bogus
  expect_exit 2
  expect_stderr_contains "--bogus"
  tide --bogus status
  expect_exit 2
  expect_stderr_contains "--bogus"
  tide --bogus
  expect_exit 2
  expect_stderr_contains "--bogus"
}

test_unknown_command_is_exit_2_and_named() {
  project
  tide frobnicate
  expect_exit 2
  expect_stderr_contains "frobnicate"
}

test_no_command_is_exit_2() {
  tide
  expect_exit 2
}

test_bad_option_values_are_exit_2() {
  project
  lua_migration 001_a.lua a
  tide up --step 0
  expect_exit 2
  tide up --step abc
  expect_exit 2
  tide down --step 1 --all
  expect_exit 2
  tide resolve 001
  expect_exit 2
  expect_stderr_contains "--applied"
  tide --lock-timeout forever up
  expect_exit 2
  expect_stderr_contains "--lock-timeout"
  # None of these touched the database.
  [[ ! -f test.db ]] || expect_sql "SELECT count(*) FROM sqlite_master WHERE name = 'a'" 0
}

test_up_to_unknown_version_is_exit_2() {
  project
  lua_migration 001_a.lua a
  tide up --to 999
  expect_exit 2
  expect_stderr_contains "999"
  expect_no_table a
}

test_missing_migrations_folder_is_exit_2() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", migrations = "db/migrate" }
EOF
  tide up
  expect_exit 2
  expect_stderr_contains "db/migrate"
}

# `tide new` leaves the down to write: validate reports it and down refuses, instead of
# a blank down that would "revert" by forgetting the migration.
test_new_lua_migration_has_no_down_until_written() {
  project
  tide new add_thing
  expect_exit 0
  local file
  file=$(ls migrations/*_add_thing.lua)
  sed -i 's|^    db:exec \[\[$|    db:exec [[CREATE TABLE thing (id integer)|' "$file"
  tide up
  expect_exit 0
  expect_table thing
  tide validate
  expect_exit 5
  expect_stderr_contains "no down"
  tide down
  expect_exit 5
  expect_table thing
}

test_verbose_names_driver_and_server() {
  project
  sql_migration 001_a.sql a
  tide --verbose up
  expect_exit 0
  expect_stdout_matches 'driver sqlite · server 3\.[0-9]+'
  tide up
  expect_stdout_not_contains "driver sqlite"
}

run_tests
