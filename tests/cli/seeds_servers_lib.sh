# Seeds end to end on a server (test_seeds_postgres.sh, test_seeds_mysql.sh), sourced
# after lib.sh and the server's own helpers. The same Lua seeds run on both: db:upsert
# of a few rows (with a NULL), of 5,000 rows (several batches), and db:load_csv with
# types; the SQL seed is the dialect's own (passed to seed_files).
#
#   seed_files SQL               the migration, the seeds and the CSV
#   broken_seed                  seeds/040_broken.lua: its second upsert's row 2 is NULL
#                                in a NOT NULL column, after a first upsert that worked
#   seeds_twice_case FIRST   the seeds run twice, then once more after a CSV edit;
#                            FIRST is what `contents` prints after the first run
# The server's test defines: contents (everything the seeds wrote, as text) and
# expect_db SQL EXPECTED (a query on the test's database).

# seed_files SQL_SEED: the migration (portable DDL), the Lua seeds, the CSV, and the
# dialect's SQL seed (seeds/030_settings.sql) with the text given.
seed_files() {
  write migrations/001_schema.sql <<'EOF'
CREATE TABLE roles (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, level INTEGER);
CREATE TABLE countries (code VARCHAR(2) PRIMARY KEY, name VARCHAR(100) NOT NULL, population BIGINT, eu BOOLEAN);
CREATE TABLE numbers (n INTEGER PRIMARY KEY, square BIGINT NOT NULL, label VARCHAR(20));
CREATE TABLE settings (k VARCHAR(50) PRIMARY KEY, v VARCHAR(100));
EOF
  write seeds/010_roles.lua <<'EOF'
return {
  run = function(db)
    db:upsert("roles", {
      { id = 1, name = "admin", level = 9 },
      { id = 2, name = "editor", level = 5 },
      { id = 3, name = "viewer", level = db.NULL },
    }, { key = { "id" } })
    local rows = {}
    for i = 1, 5000 do rows[i] = { n = i, square = i * i, label = "n" .. i } end
    db:upsert("numbers", rows, { key = "n" })
  end,
}
EOF
  write seeds/020_countries.lua <<'EOF'
return {
  run = function(db)
    db:load_csv("countries", "seeds/data/countries.csv",
                { key = "code", types = { population = "integer", eu = "boolean" } })
  end,
}
EOF
  write seeds/data/countries.csv <<'EOF'
code,name,population,eu
de,Germany,84000000,true
fr,France,68000000,true
no,Norway,5500000,false
xx,"Nowhere, the ""unknown""",,
EOF
  write seeds/030_settings.sql <<<"$1"
}

# The counts lines of a run that wrote everything for the first time.
expect_first_run_counts() {
  expect_stdout_contains "seed 010_roles ... done (5003 inserted, 0 updated, 0 unchanged"
  expect_stdout_contains "seed 020_countries ... done (4 inserted, 0 updated, 0 unchanged"
  expect_stdout_contains "seed 030_settings ... done ("
}

# The counts lines of the same seeds run again (--force): nothing changes.
expect_unchanged_counts() {
  expect_stdout_contains "seed 010_roles ... done (0 inserted, 0 updated, 5003 unchanged"
  expect_stdout_contains "seed 020_countries ... done (0 inserted, 0 updated, 4 unchanged"
}

seeds_twice_case() {
  tide up --seed
  expect_exit 0
  expect_first_run_counts
  local first
  first=$(contents)
  [[ "$first" == "$1" ]] || fail "after the first run: $first"
  expect_db "SELECT COUNT(*) FROM tide_history WHERE kind = 'seed'" 3
  # Unchanged seeds do not run again; forced, they run and change nothing.
  tide seed
  expect_exit 0
  expect_stdout_contains "3 seed(s) up to date"
  tide seed --force
  expect_exit 0
  expect_unchanged_counts
  [[ "$(contents)" == "$first" ]] || fail "the second run changed the data: $(contents)"
  # One CSV value edited (a seed's checksum is its own file's: --force runs it again):
  # one row updated.
  sed -i 's/^no,Norway,5500000/no,Norway,5600000/' seeds/data/countries.csv
  tide seed --only 020_countries --force
  expect_exit 0
  expect_stdout_contains "seed 020_countries ... done (0 inserted, 1 updated, 3 unchanged"
  expect_db "SELECT population FROM countries WHERE code = 'no'" 5600000
}

# broken_seed: a seed that fails half-way, on the second row of its second upsert.
broken_seed() {
  write seeds/040_broken.lua <<'EOF'
return {
  run = function(db)
    db:upsert("roles", { { id = 10, name = "temp" } }, { key = "id" })
    db:upsert("roles", { { id = 11, name = "ok" }, { id = 12, name = db.NULL } }, { key = "id" })
  end,
}
EOF
}
