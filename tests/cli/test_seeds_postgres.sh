#!/usr/bin/env bash
# Seeds end to end on PostgreSQL: Lua seeds with db:upsert and db:load_csv and a SQL
# seed, run twice (the second run changes nothing and says so in its counts); a changed
# CSV value is one update; a seed failing half-way rolls back on the server.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/seeds_servers_lib.sh"

# Everything the seeds write, as one text to compare between runs.
contents() {
  pg "SELECT concat_ws(':', id, name, coalesce(level::text, 'NULL')) FROM roles ORDER BY id;
      SELECT concat_ws(':', code, name, coalesce(population::text, 'NULL'), coalesce(eu::text, 'NULL'))
        FROM countries ORDER BY code;
      SELECT concat_ws(':', count(*), sum(square), max(label COLLATE \"C\")) FROM numbers;
      SELECT concat_ws(':', k, v) FROM settings ORDER BY k"
}

expect_db() { expect_pg "$@"; }

test_seeds_twice_on_postgres() {
  pg_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark'), ('lang', 'en') ON CONFLICT (k) DO NOTHING;"
  seeds_twice_case "1:admin:9
2:editor:5
3:viewer:NULL
de:Germany:84000000:true
fr:France:68000000:true
no:Norway:5500000:false
xx:Nowhere, the \"unknown\":NULL:NULL
5000:41679167500:n999
lang:en
theme:dark"
  expect_no_password
}

test_seed_failing_half_way_rolls_back_on_postgres() {
  pg_project
  seed_files "INSERT INTO settings (k, v) VALUES ('theme', 'dark');"
  broken_seed
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/040_broken.lua:"
  expect_stderr_contains "upsert into roles: row 2"  # the driver finds the row from the server's error
  expect_stderr_contains "23502"  # not_null_violation, from the server
  expect_stderr_contains "the seed was rolled back"
  expect_pg "SELECT count(*) FROM roles WHERE id >= 10" 0
  expect_pg "SELECT string_agg(version, ',' ORDER BY version) FROM tide_history WHERE kind = 'seed'" \
    "010_roles,020_countries,030_settings"
}

test_unknown_column_names_the_database_error_on_postgres() {
  pg_project
  seed_files "SELECT 1;"
  write seeds/010_roles.lua <<'EOF'
return { run = function(db) db:upsert("roles", { { id = 1, name = "a", nosuch = 1 } }, { key = "id" }) end }
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "seeds/010_roles.lua:1:"
  expect_stderr_contains "nosuch"
  expect_stderr_contains "42703"  # undefined_column
  expect_pg "SELECT count(*) FROM roles" 0
}

run_tests
