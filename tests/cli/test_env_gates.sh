#!/usr/bin/env bash
# Environment gates on migrations (`-- tide:env EXPR`, `env = "..."`): a migration whose
# gate does not match is skipped, not recorded, and `status` says why (SPEC §2, §5).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

gated_project() {
  project
  sql_migration 001_base.sql base
  write migrations/002_prod_only.sql <<'EOF'
-- tide:env production
-- tide:up
CREATE TABLE prod_only (id integer);
-- tide:down
DROP TABLE prod_only;
EOF
  write migrations/003_not_prod.lua <<'EOF'
return {
  env = "!production and !staging",
  up = function(db) db:exec [[CREATE TABLE dev_data (id integer)]] end,
  down = function(db) db:exec [[DROP TABLE dev_data]] end,
}
EOF
}

test_gated_migration_is_skipped_and_not_recorded() {
  gated_project
  tide up
  expect_exit 0
  expect_stdout_contains "skip 002"
  expect_stdout_contains "production"
  expect_applied "001 003"
  expect_no_table prod_only
  expect_table dev_data
}

test_gates_in_production() {
  gated_project
  tide --env production up
  expect_exit 0
  expect_applied "001 002"
  expect_table prod_only
  expect_no_table dev_data
  tide --env staging --database sqlite:staging.db up
  expect_exit 0
  expect_applied "001" staging.db
}

test_bad_gate_expression_names_the_file() {
  project
  write migrations/001_bad.sql <<'EOF'
-- tide:env (production
CREATE TABLE a (id integer);
EOF
  tide up
  [[ "$RC" == 2 || "$RC" == 5 ]] || fail "expected exit 2 or 5 for a bad gate, got $RC"
  expect_stderr_contains "migrations/001_bad.sql"
  expect_no_table a
}

# SPEC §5: "A gated migration that does not match is skipped and not recorded, and status
# says why." In development, 002 (production only) will never run: it is not pending.
test_status_says_why_a_migration_is_skipped() {
  gated_project
  tide up
  expect_exit 0
  tide status
  expect_exit 0
  expect_stdout_matches '^002 +prod_only +.*(skip|gate|production)'
  tide status --exit-code
  expect_exit 0
}

run_tests
