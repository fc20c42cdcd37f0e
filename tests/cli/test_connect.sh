#!/usr/bin/env bash
# Where the project and the database are: -C, --database URL forms, --config, --env,
# TIDE_ENV, .env and DATABASE_URL, and their precedence.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

one_migration() {
  mkdir -p migrations
  lua_migration 001_widgets.lua widgets
}

test_default_database_is_db_env_sqlite3() {
  one_migration
  tide up
  expect_exit 0
  expect_table widgets db/development.sqlite3
  expect_stdout_contains "sqlite:db/development.sqlite3"
}

test_dash_C_runs_in_another_folder() {
  mkdir proj
  (cd proj && project && lua_migration 001_widgets.lua widgets)
  tide -C proj up
  expect_exit 0
  expect_table widgets proj/test.db
  [[ ! -e test.db ]] || fail "-C: the database was created in the current folder"
  tide -C proj status
  expect_stdout_contains "1 applied, 0 pending"
  tide -C does/not/exist status
  expect_exit 2
  expect_stderr_contains "does/not/exist"
}

test_database_relative_path() {
  one_migration
  tide --database sqlite:data/rel.db up
  expect_exit 0
  expect_table widgets data/rel.db
}

test_database_relative_path_is_relative_to_dash_C() {
  mkdir proj
  (cd proj && one_migration)
  tide -C proj --database sqlite:rel.db up
  expect_exit 0
  expect_table widgets proj/rel.db
}

test_database_absolute_path_one_slash() {
  one_migration
  tide --database "sqlite:$T_DIR/abs/one.db" up
  expect_exit 0
  expect_table widgets "$T_DIR/abs/one.db"
}

test_database_absolute_path_three_slashes() {
  one_migration
  tide --database "sqlite://$T_DIR/three.db" up
  expect_exit 0
  expect_table widgets "$T_DIR/three.db"
}

test_database_in_memory() {
  one_migration
  tide --database sqlite::memory: up
  expect_exit 0
  expect_stdout_contains "applied"
  # Nothing is written to disk, so a second run finds everything pending again.
  [[ -z "$(ls | grep -v migrations)" ]] || fail "sqlite::memory: created files: $(ls)"
  tide --database sqlite::memory: status --exit-code
  expect_exit 3
}

test_database_url_env_var() {
  one_migration
  DATABASE_URL=sqlite:from_env.db tide up
  expect_exit 0
  expect_table widgets from_env.db
}

test_database_option_beats_env_var() {
  one_migration
  DATABASE_URL=sqlite:from_env.db tide --database sqlite:from_option.db up
  expect_exit 0
  expect_table widgets from_option.db
  [[ ! -e from_env.db ]] || fail "DATABASE_URL was used although --database was given"
}

test_config_database_beats_env_var() {
  project
  one_migration
  DATABASE_URL=sqlite:from_env.db tide up
  expect_exit 0
  expect_table widgets test.db
  [[ ! -e from_env.db ]] || fail "DATABASE_URL was used although tide.lua sets database"
}

test_dotenv_database_url() {
  one_migration
  write .env <<'EOF'
# a comment
DATABASE_URL=sqlite:from_dotenv.db
EOF
  tide up
  expect_exit 0
  expect_table widgets from_dotenv.db
}

test_dotenv_does_not_override_the_environment() {
  one_migration
  echo 'DATABASE_URL="sqlite:from_dotenv.db"' >.env
  DATABASE_URL=sqlite:from_env.db tide up
  expect_exit 0
  expect_table widgets from_env.db
  [[ ! -e from_dotenv.db ]] || fail ".env overrode an exported DATABASE_URL"
}

test_dotenv_beside_config_is_read() {
  mkdir -p conf
  one_migration
  write conf/tide.lua <<'EOF'
return { database = os.getenv("DATABASE_URL"), migrations = "../migrations" }
EOF
  echo "DATABASE_URL=sqlite:beside.db" >conf/.env
  tide --config conf/tide.lua up
  expect_exit 0
  expect_table widgets conf/beside.db
}

test_bad_dotenv_line_is_exit_2() {
  one_migration
  printf 'DATABASE_URL=sqlite:x.db\nthis line has no equals sign\n' >.env
  tide up
  expect_exit 2
  expect_stderr_contains ".env:2"
}

test_config_file_option() {
  one_migration
  write other/config.lua <<'EOF'
return { database = "sqlite:other.db", migrations = "../migrations" }
EOF
  tide --config other/config.lua up
  expect_exit 0
  # Paths in a config file are relative to its folder.
  expect_table widgets other/other.db
  tide --config missing.lua up
  expect_exit 2
  expect_stderr_contains "missing.lua"
}

test_env_option_selects_database_from_table() {
  one_migration
  write tide.lua <<'EOF'
return {
  database = { development = "sqlite:dev.db", staging = "sqlite:staging.db" },
}
EOF
  tide --env staging up
  expect_exit 0
  expect_table widgets staging.db
  expect_sql "SELECT environment FROM tide_history" staging staging.db
  [[ ! -e dev.db ]] || fail "--env staging also touched dev.db"
  tide up
  expect_exit 0
  expect_table widgets dev.db
  expect_sql "SELECT environment FROM tide_history" development dev.db
}

test_tide_env_variable() {
  one_migration
  write tide.lua <<'EOF'
return {
  database = function(env) return "sqlite:" .. env .. ".db" end,
}
EOF
  TIDE_ENV=qa tide up
  expect_exit 0
  expect_table widgets qa.db
  expect_sql "SELECT environment FROM tide_history" qa qa.db
  # --env wins over TIDE_ENV.
  TIDE_ENV=qa tide --env ci up
  expect_exit 0
  expect_table widgets ci.db
}

test_environment_in_config_file() {
  one_migration
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", environment = "staging" }
EOF
  tide up
  expect_exit 0
  expect_sql "SELECT environment FROM tide_history" staging
  # TIDE_ENV beats the file.
  tide down
  TIDE_ENV=other tide up
  expect_sql "SELECT environment FROM tide_history" other
}

test_tide_env_visible_in_migrations_and_config() {
  write tide.lua <<'EOF'
return { database = "sqlite:" .. tide.env .. ".db" }
EOF
  write migrations/001_env.lua <<'EOF'
return {
  up = function(db) db:exec("CREATE TABLE e AS SELECT ? AS env", tide.env) end,
  down = function(db) db:exec [[DROP TABLE e]] end,
}
EOF
  tide --env review up
  expect_exit 0
  expect_sql "SELECT env FROM e" review review.db
}

test_custom_migrations_folder_and_history_table() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", migrations = "db/migrate", history_table = "schema_log" }
EOF
  mkdir -p db/migrate
  sql_migration 001_a.sql a
  mv migrations/001_a.sql db/migrate/
  tide up
  expect_exit 0
  expect_table a
  expect_sql "SELECT version FROM schema_log" 001
  expect_no_table tide_history
}

# The password never shows, on stdout or stderr, in text or JSON.
expect_no_password() {
  expect_stdout_not_contains "s3cretpw"
  expect_stderr_not_contains "s3cretpw"
}

test_password_is_never_printed() {
  one_migration
  tide --database 'foo://user:s3cretpw@host/db' status
  expect_exit 2
  expect_no_password
  expect_stdout_contains "foo://user:***@host/db"
  tide --json --database 'user:s3cretpw@localhost/db' status
  expect_exit 2
  expect_no_password
  expect_stdout_contains '"database":"user:***@localhost/db"'
  tide --database 'postgres://user:p@ss/s3cretpw@host/db?sslmode=disable' status
  expect_no_password
  tide --database 'host=h port=5432 PASSWORD=s3cretpw dbname=x' status
  expect_no_password
  tide --database "postgres://h/db?user=u&Password='s3cretpw'" status
  expect_no_password
  # Usage errors echo the arguments, before any config is read.
  tide --databse='postgres://user:s3cretpw@host/db' status
  expect_exit 2
  expect_no_password
  expect_stderr_contains "postgres://user:***@host/db"
  tide --databse 'postgres://user:s3cretpw@host/db' status
  expect_exit 2
  expect_no_password
  tide --bogus=postgres://user:s3cretpw@host/db
  expect_exit 2
  expect_no_password
}

test_password_in_a_driver_error_is_masked() {
  one_migration
  # A path under a regular file cannot be created, so the driver's message names it, and
  # with it the password (here a sqlite URL's password= parameter, which SQLite ignores).
  touch blocker
  local url="sqlite:$T_DIR/blocker/s3cretpw/y.db?password=s3cretpw"
  tide --database "$url" status
  expect_exit 1
  expect_no_password
  expect_stderr_contains "cannot create directory $T_DIR/blocker/***: Not a directory"
  tide --json --database "$url" status
  expect_exit 1
  expect_no_password
  expect_stdout_contains "cannot create directory $T_DIR/blocker/***: Not a directory"
}

test_password_in_a_migration_error_is_masked() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db?password=s3cretpw" }
EOF
  write migrations/001_leak.lua <<'EOF'
return { up = function(db) error("could not log in with s3cretpw") end }
EOF
  tide up
  expect_exit 1
  expect_no_password
  expect_stderr_contains "could not log in with ***"
  tide --json up
  expect_exit 1
  expect_no_password
  expect_stdout_contains "could not log in with ***"
}

# status only reads: it works on a read-only connection to a managed database.
test_status_on_read_only_database() {
  project
  sql_migration 001_a.sql a
  tide up
  expect_exit 0
  tide --database "sqlite:test.db?mode=ro" status
  expect_exit 0
  expect_stdout_matches '^001 +a +applied'
}

run_tests
