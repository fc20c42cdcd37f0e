#!/usr/bin/env bash
# Seeds' "Bad input" list (issue 5) and protected environments: every bad row, value
# and CSV line is a clear error naming the seed file and the row or line; a failing seed
# rolls back and is not recorded; protected environments refuse without --yes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

base_project() {
  project
  write migrations/001_schema.sql <<'EOF'
CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, level INTEGER);
CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL, population INTEGER);
EOF
}

# bad_seed LUA_BODY: a project whose only seed runs LUA_BODY; then `tide up --seed`.
bad_seed() {
  base_project
  printf 'return { run = function(db)\n%s\nend }\n' "$1" >seeds/010_bad.lua
  tide up --seed
}

expect_seed_failed() {
  expect_exit 1
  expect_stderr_contains "seeds/010_bad.lua:2:"
  expect_stderr_contains "the seed was rolled back; its checksum was not recorded"
  expect_sql "SELECT count(*) FROM tide_history WHERE kind = 'seed'" "0"
  expect_sql "SELECT count(*) FROM roles" "0"
}

test_a_column_that_does_not_exist() {
  bad_seed 'db:upsert("roles", {{ id = 1, nmae = "x" }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains "upsert into roles: table roles has no column named nmae"
}

test_a_key_column_missing_from_a_row() {
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }, { name = "b" }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 2: key column "id" is missing'
}

test_a_null_key() {
  bad_seed 'db:upsert("roles", {{ id = db.NULL, name = "a" }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 1: key column "id" is NULL'
}

test_rows_with_different_column_sets() {
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }, { id = 2, name = "b", level = 3 }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 2 has column "level", which row 1 does not have'
  bad_seed 'db:insert("roles", {{ id = 1, name = "a", level = 1 }, { id = 2, name = "b" }})'
  expect_seed_failed
  expect_stderr_contains 'row 2 has no column "level" (row 1 has it)'
  expect_stderr_contains "db.NULL"
}

test_values_that_cannot_be_bound() {
  bad_seed 'db:upsert("roles", {{ id = 1, name = print }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 1, column "name": cannot bind a function value'
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }, { id = 2, name = { "x" } }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 2, column "name": cannot bind a table value'
}

test_rows_that_are_not_an_array_of_rows() {
  bad_seed 'db:upsert("roles", { id = 1, name = "a" }, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains "rows must be an array of row tables"
  expect_stderr_contains "wrap it"
  bad_seed 'db:insert("roles", { 1, 2 })'
  expect_seed_failed
  expect_stderr_contains "row 1 is a number, not a table"
}

test_a_nul_byte_in_a_string() {
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a\0b" }}, { key = "id" })'
  expect_seed_failed
  expect_stderr_contains 'row 1, column "name": the string holds a NUL byte'
}

test_bad_options() {
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }}, { kye = "id" })'
  expect_exit 1
  expect_stderr_contains 'upsert: unknown option "kye"'
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }}, { key = "id", update = { "id" } })'
  expect_exit 1
  expect_stderr_contains 'update column "id" is a key column'
  bad_seed 'db:upsert("roles", {{ id = 1, name = "a" }})'
  expect_exit 1
  expect_stderr_contains "upsert: options are required"
}

test_a_seed_that_fails_half_way_rolls_back_and_names_the_row() {
  base_project
  write seeds/005_first.lua <<'EOF'
return { run = function(db) db:insert("countries", {{ code = "FR", name = "France" }}) end }
EOF
  write seeds/010_bad.lua <<'EOF'
return { run = function(db)
  db:upsert("roles", {{ id = 1, name = "admin" }, { id = 2, name = "editor" }}, { key = "id" })
  db:upsert("roles", {{ id = 3, name = "viewer" }, { id = 4, name = "admin" }}, { key = "id" })
end }
EOF
  write seeds/020_after.lua <<'EOF'
return { run = function(db) db:insert("countries", {{ code = "DE", name = "Germany" }}) end }
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/010_bad.lua:3: upsert into roles: row 2: UNIQUE constraint failed: roles.name"
  expect_stderr_contains "the seed was rolled back"
  expect_sql "SELECT count(*) FROM roles" "0"
  expect_sql "SELECT group_concat(version) FROM tide_history WHERE kind = 'seed'" "005_first"
  expect_sql "SELECT group_concat(code) FROM countries" "FR"
  # Fixed, it runs on the next try (and the seeds after it).
  sed -i 's/id = 4, name = "admin"/id = 4, name = "guest"/' seeds/010_bad.lua
  tide seed
  expect_exit 0
  expect_sql "SELECT count(*) FROM roles" "4"
  expect_sql "SELECT group_concat(code) FROM (SELECT code FROM countries ORDER BY code)" "DE,FR"
}

test_a_failing_sql_seed_names_the_file_and_line() {
  base_project
  write seeds/010_bad.sql <<'EOF'
INSERT INTO roles (id, name) VALUES (1, 'a');

INSERT INTO nowhere (id) VALUES (1);
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/010_bad.sql:3: no such table: nowhere"
  expect_sql "SELECT count(*) FROM roles" "0"
}

test_seed_files_that_do_not_load() {
  base_project
  write seeds/010_bad.lua <<'EOF'
return { run = function(db) end, enviroment = "development" }
EOF
  write seeds/020_ok.lua <<'EOF'
return { run = function(db) db:insert("roles", {{ id = 1, name = "a" }}) end }
EOF
  tide up --seed
  expect_exit 5
  expect_stderr_contains 'seeds/010_bad.lua: unknown field "enviroment" in the seed table'
  expect_sql "SELECT count(*) FROM roles" "0"
  tide validate
  expect_exit 5
  expect_stderr_contains "seed validation failed"
  expect_stderr_contains 'seeds/010_bad.lua: unknown field "enviroment"'
  write seeds/010_bad.lua <<'EOF'
return { env = "(production", run = function(db) end }
EOF
  tide seed
  expect_exit 5
  expect_stderr_contains "seeds/010_bad.lua"
  rm seeds/010_bad.lua
  write seeds/010_bad.sql <<'EOF'
-- tide:up
INSERT INTO roles (id, name) VALUES (1, 'a');
-- tide:down
DELETE FROM roles;
EOF
  tide seed
  expect_exit 5
  expect_stderr_contains "seeds/010_bad.sql: a seed is plain SQL"
}

# csv_seed CSV_CONTENT [OPTIONS]: a seed loading seeds/data.csv into countries.
csv_seed() {
  base_project
  printf '%b' "$1" >seeds/data.csv
  printf 'return { run = function(db)\n  db:load_csv("countries", "seeds/data.csv", { key = "code"%s })\nend }\n' \
    "${2:-}" >seeds/010_bad.lua
  tide up --seed
}

test_malformed_csv_lines_are_named() {
  csv_seed 'code,name\nFR,France\nDE,"Germany"x\n'
  expect_seed_failed
  expect_stderr_contains "seeds/data.csv:3: malformed CSV"
  csv_seed 'code,name\nFR,France\nDE,Germany,extra\n'
  expect_seed_failed
  expect_stderr_contains "seeds/data.csv:3: 3 field(s), but the header has 2"
  csv_seed 'code,name,population\nFR,France,6.8e7\n' ', types = { population = "integer" }'
  expect_seed_failed
  expect_stderr_contains 'seeds/data.csv:2: column "population": "6.8e7" is not an integer'
  csv_seed 'code,name\nFR,"France\nDE,Germany\n'
  expect_seed_failed
  expect_stderr_contains "seeds/data.csv:2: malformed CSV: a quoted field is never closed"
  csv_seed 'code,name\nFR,France\n,Nowhere\n'
  expect_seed_failed
  expect_stderr_contains 'seeds/data.csv:3: key column "code" is empty'
  csv_seed 'kode,name\nFR,France\n'
  expect_seed_failed
  expect_stderr_contains 'key column "code" is not one of the rows'"'"' columns (kode, name)'
}

test_csv_errors_from_the_database_name_the_line() {
  csv_seed 'code,name\nFR,France\nDE,\n'
  expect_seed_failed
  expect_stderr_contains "seeds/data.csv:3: NOT NULL constraint failed: countries.name"
}

# ---- protected environments ----------------------------------------------------------

protected_project() {
  base_project
  write seeds/010_roles.lua <<'EOF'
return { run = function(db) db:upsert("roles", {{ id = 1, name = "admin" }}, { key = "id" }) end }
EOF
  write seeds/020_demo.lua <<'EOF'
return { env = "development", run = function(db) db:insert("roles", {{ id = 99, name = "demo" }}) end }
EOF
}

test_seed_force_needs_yes_in_production() {
  protected_project
  tide --env production up --seed
  expect_exit 0
  expect_stdout_contains 'skip seed 020_demo (env gate "development" excludes production)'
  tide --env production seed --force
  expect_exit 2
  expect_stderr_contains 'refusing to run `seed --force` in the protected environment "production"'
  expect_stderr_contains "--yes"
  tide --env production --yes seed --force
  expect_exit 0
  expect_stdout_contains "seed 010_roles ... done (0 inserted, 0 updated, 1 unchanged"
}

test_a_seed_gated_to_development_asked_for_in_production_is_refused() {
  protected_project
  tide --env production up
  tide --env production seed --only 020_demo
  expect_exit 2
  expect_stderr_contains 'seeds/020_demo.lua: refusing to run this seed in the protected environment "production": its env gate "development" excludes production'
  expect_sql "SELECT count(*) FROM roles WHERE id = 99" "0"
  # Outside protected environments, naming it runs it, with a warning.
  tide --env staging --database sqlite:test.db seed --only 020_demo
  expect_exit 0
  expect_stderr_contains "running it because --only names it"
  expect_sql "SELECT count(*) FROM roles WHERE id = 99" "1"
}

test_seeds_that_delete_rows_need_yes_in_production() {
  protected_project
  write seeds/030_cleanup.sql <<'EOF'
-- Deleting in a string or a comment does not count: 'DELETE FROM x'
INSERT INTO countries (code, name) VALUES ('XX', 'DELETE FROM roles');
DELETE FROM roles WHERE id > 100;
EOF
  tide --env production up --seed
  expect_exit 2
  expect_stderr_contains 'seeds/030_cleanup.sql: refusing to run a seed that deletes rows in the protected environment "production": DELETE FROM roles WHERE id > 100'
  expect_sql "SELECT count(*) FROM tide_history WHERE kind = 'seed'" "0"
  rm seeds/030_cleanup.sql
  write seeds/030_cleanup.lua <<'EOF'
return { run = function(db)
  db:exec("INSERT OR IGNORE INTO countries (code, name) VALUES ('XX', 'x')")
  db:exec("DELETE FROM roles WHERE id > ?", 100)
end }
EOF
  tide --env production seed
  expect_exit 2
  expect_stderr_contains 'seeds/030_cleanup.lua:3: refusing to run SQL that deletes rows in the protected environment "production"'
  expect_sql "SELECT count(*) FROM countries" "0"
  tide --env production --yes seed
  expect_exit 0
  expect_sql "SELECT count(*) FROM countries" "1"
  # In development nothing needs --yes.
  tide seed --force
  expect_exit 0
}

run_tests
