#!/usr/bin/env bash
# Seeds end to end on MariaDB: Lua seeds with db:upsert and db:load_csv and a SQL seed,
# run twice (the second run changes nothing and says so in its counts); a changed CSV
# value is one update; a seed failing half-way rolls back on the server.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/seeds_servers_lib.sh"

# Everything the seeds write, as one text to compare between runs.
contents() {
  mq "SELECT CONCAT_WS(':', id, name, IFNULL(level, 'NULL')) FROM roles ORDER BY id;
      SELECT CONCAT_WS(':', code, name, IFNULL(population, 'NULL'), IFNULL(eu, 'NULL')) FROM countries ORDER BY code;
      SELECT CONCAT_WS(':', COUNT(*), SUM(square), MAX(label)) FROM numbers;
      SELECT CONCAT_WS(':', k, v) FROM settings ORDER BY k"
}

expect_db() { expect_mq "$@"; }

test_seeds_twice_on_mariadb() {
  mysql_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark'), ('lang', 'en')
  ON DUPLICATE KEY UPDATE k = k;"
  seeds_twice_case "1:admin:9
2:editor:5
3:viewer:NULL
de:Germany:84000000:1
fr:France:68000000:1
no:Norway:5500000:0
xx:Nowhere, the \"unknown\":NULL:NULL
5000:41679167500:n999
lang:en
theme:dark"
}

test_seed_failing_half_way_rolls_back_on_mariadb() {
  mysql_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark');"
  broken_seed
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
