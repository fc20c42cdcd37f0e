#!/usr/bin/env bash
# Seeds end to end on MariaDB: Lua seeds with db:upsert and db:load_csv and a SQL seed,
# run twice (the second run changes nothing and says so in its counts); a changed CSV
# value is one update; a seed failing half-way rolls back on the server.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/seeds_servers_lib.sh"

skip_without_upsert mysql

# Everything the seeds write, as one text to compare between runs.
contents() {
  mq "SELECT CONCAT_WS(':', id, name, IFNULL(level, 'NULL')) FROM roles ORDER BY id;
      SELECT CONCAT_WS(':', code, name, IFNULL(population, 'NULL'), IFNULL(eu, 'NULL')) FROM countries ORDER BY code;
      SELECT CONCAT_WS(':', COUNT(*), SUM(square), MAX(label)) FROM numbers;
      SELECT CONCAT_WS(':', k, v) FROM settings ORDER BY k"
}

test_seeds_twice_on_mariadb() {
  mysql_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark'), ('lang', 'en')
  ON DUPLICATE KEY UPDATE k = k;"
  tide up --seed
  expect_exit 0
  expect_first_run_counts
  local first
  first=$(contents)
  [[ "$first" == "1:admin:9
2:editor:5
3:viewer:NULL
de:Germany:84000000:1
fr:France:68000000:1
no:Norway:5500000:0
xx:Nowhere, the \"unknown\":NULL:NULL
5000:41679167500:n999
lang:en
theme:dark" ]] || fail "after the first run: $first"
  expect_mq "SELECT COUNT(*) FROM tide_history WHERE kind = 'seed'" 3
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
  expect_mq "SELECT population FROM countries WHERE code = 'no'" 5600000
}

test_seed_failing_half_way_rolls_back_on_mariadb() {
  mysql_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark');"
  write seeds/040_broken.lua <<'EOF'
return {
  run = function(db)
    db:upsert("roles", { { id = 10, name = "temp" } }, { key = "id" })
    db:upsert("roles", { { id = 11, name = "ok" }, { id = 12, name = db.NULL } }, { key = "id" })
  end,
}
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/040_broken.lua:"
  expect_stderr_contains "row 2: Column 'name' cannot be null"  # the server's error, its row found by the driver
  expect_stderr_contains "the seed was rolled back"
  expect_mq "SELECT COUNT(*) FROM roles WHERE id >= 10" 0
  expect_mq "SELECT GROUP_CONCAT(version ORDER BY version) FROM tide_history WHERE kind = 'seed'" \
    "010_roles,020_countries,030_settings"
}

test_unknown_column_names_the_database_error_on_mariadb() {
  mysql_project
  seed_files "SELECT 1;"
  write seeds/010_roles.lua <<'EOF'
return { run = function(db) db:upsert("roles", { { id = 1, name = "a", nosuch = 1 } }, { key = "id" }) end }
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/010_roles.lua:1:"
  expect_stderr_contains "Unknown column 'nosuch'"
  expect_mq "SELECT COUNT(*) FROM roles" 0
}

run_tests
