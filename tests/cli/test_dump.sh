#!/usr/bin/env bash
# `tide dump`: the SQLite schema in schema.sql (creation order, no rows, no SQLite
# internals, the history table and the baseline note), -o FILE and -o -, and that a
# failing or unsupported dump never leaves a truncated schema.sql.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A project whose migrations make a table, an index, a view, a trigger, an AUTOINCREMENT
# table (sqlite_sequence) and an FTS5 table (shadow tables), and put a row in.
schema_project() {
  project
  write migrations/001_users.sql <<'EOF2'
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE INDEX users_email ON users (email);
INSERT INTO users (email) VALUES ('row-marker@example.com');
EOF2
  write migrations/002_more.sql <<'EOF2'
CREATE VIEW user_emails AS SELECT email FROM users;
CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);
INSERT INTO events (what) VALUES ('x');
CREATE VIRTUAL TABLE notes USING fts5(body);
EOF2
  tide up
  expect_exit 0
}

test_dump_writes_schema_sql() {
  schema_project
  tide dump
  expect_exit 0
  expect_stdout_contains "wrote the sqlite schema to schema.sql"
  [[ -f schema.sql ]] || fail "no schema.sql"
  # Tables in creation order, then indexes, views, triggers.
  local order
  order=$(grep -oE '^CREATE (TABLE|INDEX|VIEW|TRIGGER|VIRTUAL TABLE) "?[a-z_]+' schema.sql | awk '{print $NF}' | tr -d '"' | tr '\n' ' ')
  expect_eq "$order" "tide_history users events notes users_email user_emails users_touch " "object order"
  ! grep -q "row-marker" schema.sql || fail "schema.sql holds rows"
  ! grep -qi "sqlite_sequence\|notes_data\|notes_config" schema.sql || fail "schema.sql holds SQLite internals"
  grep -q "tide baseline 002" schema.sql || fail "no baseline note"
}

test_schema_sql_loads_into_an_identical_schema() {
  schema_project
  tide dump
  expect_exit 0
  "$SQLITE3" -bail copy.db <schema.sql || fail "schema.sql does not load"
  local q="SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
  expect_eq "$(sql "$q" copy.db)" "$(sql "$q")" "schema of the loaded copy"
  expect_sql "SELECT count(*) FROM users" 0 copy.db
  # The note's way: baseline the copy, and tide sees everything applied.
  tide --database sqlite:copy.db baseline 002
  expect_exit 0
  tide --database sqlite:copy.db status --exit-code
  expect_exit 0
}

test_output_file_and_stdout() {
  schema_project
  mkdir start
  (cd start && tide -C .. dump -o out/schema-copy.sql)
  expect_exit 0
  [[ -f out/schema-copy.sql ]] || fail "-o FILE is relative to where tide runs (after -C); a missing folder is made"
  [[ ! -e schema.sql ]] || fail "schema.sql written besides -o"
  tide dump -o -
  expect_exit 0
  expect_eq "$(head -c 27 "$OUT")" 'CREATE TABLE "tide_history"' "first bytes of dump -o -"
  expect_stdout_not_contains "tide: environment"
  cmp -s "$OUT" out/schema-copy.sql || fail "-o - and -o FILE differ"
  # --json events go to stdout too: refused rather than mixed into the schema.
  tide --json dump -o -
  expect_exit 2
  expect_stderr_contains "use -o FILE"
  expect_stdout_empty
}

test_dump_goes_to_the_config_folder() {
  mkdir -p app/migrations
  write app/tide.lua <<'EOF2'
return { database = "sqlite:app.db" }
EOF2
  write app/migrations/001_t.sql <<'EOF2'
CREATE TABLE t (id INTEGER);
EOF2
  tide --config app/tide.lua up
  expect_exit 0
  tide --config app/tide.lua dump
  expect_exit 0
  [[ -f app/schema.sql ]] || fail "schema.sql is not in the project folder"
  grep -q "CREATE TABLE t" app/schema.sql || fail "app/schema.sql lacks table t"
}

test_json_event() {
  schema_project
  tide --json dump
  expect_exit 0
  python3 -c '
import json, os, sys
evs = [json.loads(l) for l in sys.stdin]
d = [e for e in evs if e["event"] == "dumped"]
assert d and d[0]["file"] == "schema.sql" and d[0]["bytes"] == os.path.getsize("schema.sql"), evs
' <"$OUT" || fail "no dumped event with file and bytes"
}

test_failed_dump_keeps_the_old_file() {
  scripted_plugins
  echo "-- the previous schema" >schema.sql
  chmod 640 schema.sql
  tide --plugin-path "$SCRIPTED" --database scripted:ok,dump=fail dump
  expect_exit 1
  expect_stderr_contains "scripted-dump: lost the connection half way"
  expect_stderr_contains "schema.sql was left as it was"
  expect_eq "$(cat schema.sql)" "-- the previous schema" "schema.sql after a failed dump"
  expect_eq "$(ls -A | grep -c '\.tmp-')" 0 "temporary files left"
  # A successful dump replaces it, keeping its permissions.
  tide --plugin-path "$SCRIPTED" --database scripted:ok dump
  expect_exit 0
  grep -q "CREATE TABLE scripted_two" schema.sql || fail "schema.sql not replaced"
  expect_eq "$(stat -c %a schema.sql)" 640 "mode of schema.sql"
}

test_unsupported_dump_says_why() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted:ok,dump=unsupported dump
  expect_exit 2
  expect_stderr_contains "scripted-dump not found on PATH"
  [[ ! -e schema.sql ]] || fail "schema.sql written by an unsupported dump"
}

test_driver_without_dump_member() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted10:ok dump
  expect_exit 2
  expect_stderr_contains "the scripted10 driver cannot dump a schema"
  expect_stderr_contains "tide-driver-scripted10.so has no dump member (plugin ABI 1.0"
  [[ ! -e schema.sql ]] || fail "schema.sql written"
}

test_unwritable_target() {
  schema_project
  echo "a file" >blocker
  tide dump -o blocker/schema.sql
  expect_exit 1
  # The folder that cannot be made is named (not a missing file inside it), with a way out.
  expect_stderr_contains "blocker/schema.sql: cannot create the folder"
  expect_stderr_contains "blocker: Not a directory"
  expect_stderr_contains "hint: write the schema elsewhere with -o FILE, or to standard output with -o -"
}

run_tests
