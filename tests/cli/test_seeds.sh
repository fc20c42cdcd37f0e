#!/usr/bin/env bash
# Seeds (SPEC §5): `tide seed` and `tide up --seed`, recorded by name and checksum and
# re-run only when changed; db:upsert / db:insert / db:load_csv with their counts; env
# gates; `status` listing seeds; the progress line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EXAMPLES=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../../examples")

seed_project() {
  project
  write migrations/001_schema.sql <<'EOF'
CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, level INTEGER);
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL, population INTEGER, eu BOOLEAN, note TEXT);
EOF
  write seeds/010_roles.lua <<'EOF'
return {
  run = function(db)
    db:upsert("roles", {
      { id = 1, name = "admin", level = 9 },
      { id = 2, name = "editor", level = 5 },
      { id = 3, name = "viewer", level = db.NULL },
    }, { key = { "id" } })
  end,
}
EOF
  write seeds/020_demo_users.sql <<'EOF'
-- tide:env development
INSERT INTO users (id, email) VALUES (1, 'demo@example.com') ON CONFLICT (id) DO NOTHING;
EOF
}

test_up_seed_runs_seeds_in_order_and_records_them() {
  seed_project
  tide up --seed
  expect_exit 0
  expect_stdout_contains "seed 010_roles ... done (3 inserted, 0 updated, 0 unchanged"
  expect_stdout_contains "seed 020_demo_users ... done ("
  expect_sql "SELECT id || ':' || name || ':' || coalesce(level, 'NULL') FROM roles ORDER BY id" "1:admin:9
2:editor:5
3:viewer:NULL"
  expect_sql "SELECT version FROM tide_history WHERE kind = 'seed' ORDER BY version" "010_roles
020_demo_users"
  expect_sql "SELECT checksum FROM tide_history WHERE version = '010_roles'" "$(sha256sum seeds/010_roles.lua | cut -d' ' -f1)"
  expect_sql "SELECT environment FROM tide_history WHERE version = '010_roles'" "development"
}

test_unchanged_seeds_do_not_run_again() {
  seed_project
  tide up --seed
  expect_exit 0
  tide seed
  expect_exit 0
  expect_stdout_contains "2 seed(s) up to date"
  expect_stdout_not_contains "seed 010_roles"
}

test_a_changed_seed_runs_again_and_changes_only_what_differs() {
  seed_project
  tide up --seed
  sed -i 's/level = 5/level = 6/' seeds/010_roles.lua
  tide seed
  expect_exit 0
  expect_stdout_contains "seed 010_roles ... done (0 inserted, 1 updated, 2 unchanged"
  expect_stdout_contains "1 seed(s) up to date"
  expect_sql "SELECT level FROM roles WHERE id = 2" "6"
  expect_sql "SELECT checksum FROM tide_history WHERE version = '010_roles'" "$(sha256sum seeds/010_roles.lua | cut -d' ' -f1)"
}

test_force_runs_every_seed_and_upsert_is_idempotent() {
  seed_project
  tide up --seed
  tide seed --force
  expect_exit 0
  expect_stdout_contains "seed 010_roles ... done (0 inserted, 0 updated, 3 unchanged"
  expect_sql "SELECT count(*) FROM roles" "3"
  expect_sql "SELECT count(*) FROM users" "1"
}

test_only_takes_a_name_or_a_file_name() {
  seed_project
  tide up
  tide seed --only 020_demo_users
  expect_exit 0
  expect_stdout_contains "seed 020_demo_users"
  expect_stdout_not_contains "010_roles"
  expect_sql "SELECT count(*) FROM roles" "0"
  tide seed --only 010_roles.lua
  expect_exit 0
  expect_sql "SELECT count(*) FROM roles" "3"
  tide seed --only roles
  expect_exit 2
  expect_stderr_contains "--only roles: no seed has that name"
  expect_stderr_contains "010_roles, 020_demo_users"
}

test_gated_seed_is_skipped_and_says_why() {
  seed_project
  tide --env staging --database sqlite:test.db up --seed
  expect_exit 0
  expect_stdout_contains 'skip seed 020_demo_users (env gate "development" excludes staging)'
  expect_sql "SELECT count(*) FROM users" "0"
  expect_sql "SELECT count(*) FROM tide_history WHERE version = '020_demo_users'" "0"
}

test_status_lists_seeds_with_their_states() {
  seed_project
  write seeds/030_more.lua <<'EOF'
return { run = function(db) db:insert("users", {{ id = 7, email = "x@example.com" }}) end }
EOF
  tide up
  tide seed --only 010_roles --only 030_more
  expect_exit 0
  echo "-- edited" >>seeds/030_more.lua
  tide --env staging status
  expect_exit 0
  expect_stdout_matches '^010_roles +applied'
  expect_stdout_matches '^020_demo_users +skipped \(env\)'
  expect_stdout_matches '^030_more +changed'
  tide status
  expect_stdout_matches '^020_demo_users +pending'
  tide --json status
  expect_stdout_contains '{"event":"status","kind":"seed","name":"010_roles","state":"applied"'
}

test_insert_and_upsert_options() {
  seed_project
  write seeds/010_roles.lua <<'EOF'
return {
  run = function(db)
    local r = db:insert("roles", {{ id = 1, name = "admin" }}, { columns = { "id", "name", "level" } })
    assert(r.inserted == 1 and r.updated == 0)
    -- update = false: existing rows stay as they are
    r = db:upsert("roles", {{ id = 1, name = "root", level = 1 }, { id = 2, name = "dev", level = 2 }},
                  { key = "id", update = false })
    assert(r.inserted == 1 and r.unchanged == 1, "ignore counts")
    -- update = a list: only those columns are set
    r = db:upsert("roles", {{ id = 2, name = "developer", level = 3 }}, { key = { "id" }, update = { "level" } })
    assert(r.updated == 1, "update list counts")
    -- a key repeated in one call: the later row wins, as if written one by one
    r = db:upsert("roles", {{ id = 5, name = "a", level = 1 }, { id = 5, name = "b", level = 2 }}, { key = "id" })
    assert(r.inserted == 1 and r.updated == 1, "repeated key counts")
  end,
}
EOF
  tide up --seed
  expect_exit 0
  expect_sql "SELECT id || ':' || name || ':' || coalesce(level, 'NULL') FROM roles ORDER BY id" "1:admin:NULL
2:dev:3
5:b:2"
}

test_json_events_carry_the_counts() {
  seed_project
  tide up
  tide --json seed
  expect_exit 0
  expect_stdout_contains '"event":"seeded","name":"010_roles","file":"seeds/010_roles.lua"'
  expect_stdout_contains '"inserted":3,"updated":0,"unchanged":0'
}

test_load_csv_streams_a_file_with_types_nulls_and_renames() {
  seed_project
  write seeds/data/countries.csv <<'EOF'
Code;Name;population;eu;note
FR;France;68000000;true;""
DE;"Germany; Federal ""Republic""";84000000;yes;
CH;"Switz
erland";;no;neutral
EOF
  write seeds/030_countries.lua <<'EOF'
return {
  run = function(db)
    local r = db:load_csv("countries", "seeds/data/countries.csv", {
      key = "code", delimiter = ";", rename = { Code = "code", Name = "name" },
      types = { population = "integer", eu = "boolean" },
    })
    tide.log("loaded %d", r.inserted)
  end,
}
EOF
  tide up --seed
  expect_exit 0
  expect_stdout_contains "seed 030_countries ... "
  expect_stdout_contains "loaded 3"
  expect_sql "SELECT code || '|' || name || '|' || coalesce(population, 'NULL') || '|' || eu || '|' || coalesce(note, 'NULL') FROM countries ORDER BY code" 'CH|Switz
erland|NULL|0|neutral
DE|Germany; Federal "Republic"|84000000|1|NULL
FR|France|68000000|1|'
  tide seed --force --only 030_countries
  expect_stdout_contains "0 inserted, 0 updated, 3 unchanged"
}

test_progress_is_a_plain_line_when_not_a_terminal() {
  seed_project
  write seeds/030_slow.lua <<'EOF'
return {
  run = function(db)
    tide.sleep(1.1)
    local rows = {}
    for i = 1, 2500 do rows[i] = { id = i, email = "u" .. i .. "@example.com" } end
    db:upsert("users", rows, { key = "id" })
  end,
}
EOF
  tide up --seed
  expect_exit 0
  expect_stdout_matches '^  users: 1,000 rows \(40%\) · [0-9,]+ rows/s · ETA [0-9]+s$'
  tide --json seed --force --only 030_slow
  expect_stdout_matches '"event":"progress","what":"users","rows":1000,"rows_per_s":"?[0-9]+"?,"fraction":"0.400"'
}

# The blog example's seeds (scripts/demo runs them): reference data everywhere, demo users
# only in development, and idempotent.
test_blog_example_seeds() {
  cp -r "$EXAMPLES/blog/." .
  rm -rf db
  tide up --seed
  expect_exit 0
  DB=db/blog.sqlite3
  expect_sql "SELECT group_concat(name) FROM (SELECT name FROM roles ORDER BY level DESC)" "admin,editor,author,reader"
  expect_sql "SELECT title FROM categories WHERE slug = 'releases'" "Releases, changelogs and notes"
  expect_sql "SELECT count(*) FROM users" "2"
  tide seed --force
  expect_exit 0
  expect_stdout_contains "seed 010_roles ... "
  expect_stdout_contains "done (0 inserted, 0 updated, 4 unchanged"
  DATABASE_URL=sqlite:prod.db tide --env production up --seed
  expect_exit 0
  expect_stdout_contains 'skip seed 030_demo_users (env gate "development" excludes production)'
  expect_sql "SELECT count(*) FROM users" "0" prod.db
  expect_sql "SELECT count(*) FROM roles" "4" prod.db
}

run_tests
