#!/usr/bin/env bash
# up / down / redo / status and their options; --json, --quiet, colours.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Four migrations mixing Lua and SQL, written out of version order; 003 inserts rows that
# only exist when 001 and 002 ran before it.
four_migrations() {
  project
  write migrations/003_posts.lua <<'EOF'
return {
  description = "posts",
  up = function(db)
    db:exec [[CREATE TABLE posts (id integer primary key, user_id integer, title text)]]
    -- Rows depend on 001 and 002 having run first.
    db:exec("INSERT INTO posts (user_id, title) SELECT id, 'hello ' || role FROM users")
  end,
  down = function(db) db:exec [[DROP TABLE posts]] end,
}
EOF
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id integer primary key, email text not null);
INSERT INTO users (email) VALUES ('a@example.com');
-- tide:down
DROP TABLE users;
EOF
  write migrations/002_users_role.lua <<'EOF'
return {
  up = function(db)
    db:exec [[ALTER TABLE users ADD COLUMN role text]]
    db:exec("UPDATE users SET role = ?", "admin")
  end,
  down = function(db) db:exec [[ALTER TABLE users DROP COLUMN role]] end,
}
EOF
  write migrations/004_tags.sql <<'EOF'
-- tide:up
CREATE TABLE tags (name text primary key);
-- tide:down
DROP TABLE tags;
EOF
}

test_up_applies_lua_and_sql_in_version_order() {
  four_migrations
  tide up
  expect_exit 0
  expect_applied "001 002 003 004"
  expect_sql "SELECT title FROM posts" "hello admin"
  expect_table tags
  # The order of the output follows the versions.
  local order
  order=$(grep -oE '00[1-4]' "$OUT" | tr '\n' ' ')
  expect_eq "$order" "001 002 003 004 " "order of applied migrations in the output"
}

test_history_rows() {
  four_migrations
  tide up
  expect_exit 0
  expect_sql "SELECT kind, version, name, status, environment FROM tide_history ORDER BY version" \
"migration|001|users|applied|development
migration|002|users_role|applied|development
migration|003|posts|applied|development
migration|004|tags|applied|development"
  expect_sql "SELECT count(*) FROM tide_history WHERE length(checksum) = 64 AND checksum NOT GLOB '*[^0-9a-f]*'" 4
  # The checksum is the SHA-256 of the file (it has LF line endings already).
  local want
  want=$(sha256sum migrations/002_users_role.lua | cut -d' ' -f1)
  expect_sql "SELECT checksum FROM tide_history WHERE version = '002'" "$want"
  expect_sql "SELECT count(*) FROM tide_history WHERE applied_at IS NULL OR applied_at = ''" 0
  expect_sql "SELECT count(*) FROM tide_history WHERE applied_by LIKE '%@%' AND tide_version <> ''" 4
}

test_up_to_version() {
  four_migrations
  tide up --to 002
  expect_exit 0
  expect_applied "001 002"
  expect_table users
  expect_no_table posts
  tide up --to 003
  expect_exit 0
  expect_applied "001 002 003"
  expect_no_table tags
}

test_up_step() {
  four_migrations
  tide up --step 1
  expect_exit 0
  expect_applied "001"
  tide up --step 2
  expect_exit 0
  expect_applied "001 002 003"
  tide up --step 5
  expect_exit 0
  expect_applied "001 002 003 004"
}

test_up_when_up_to_date_does_nothing() {
  four_migrations
  tide up
  tide up
  expect_exit 0
  expect_stdout_contains "up to date"
  expect_sql "SELECT count(*) FROM tide_history" 4
}

test_status_shows_applied_and_pending() {
  four_migrations
  tide status
  expect_exit 0
  expect_stdout_contains "0 applied, 4 pending"
  tide up --to 002
  tide status
  expect_exit 0
  expect_stdout_matches '^001 +users +applied'
  expect_stdout_matches '^002 +users_role +applied'
  expect_stdout_matches '^003 +posts +pending'
  expect_stdout_matches '^004 +tags +pending'
  expect_stdout_contains "2 applied, 2 pending"
}

test_status_exit_code() {
  four_migrations
  tide status --exit-code
  expect_exit 3
  tide up --step 3
  tide status --exit-code
  expect_exit 3
  expect_stdout_contains "1 migration(s) pending"
  expect_stderr_not_contains "error"
  tide up
  tide status --exit-code
  expect_exit 0
  # Without --exit-code, pending migrations are not an error.
  lua_migration 005_more.lua more
  tide status
  expect_exit 0
  tide status --exit-code
  expect_exit 3
}

test_status_does_not_migrate() {
  four_migrations
  tide status
  expect_exit 0
  expect_no_table users
  expect_sql "SELECT count(*) FROM tide_history" 0
}

test_down_reverts_latest_by_default() {
  four_migrations
  tide up
  tide down
  expect_exit 0
  expect_applied "001 002 003"
  expect_no_table tags
  expect_table posts
  expect_stdout_contains "004"
}

test_down_step() {
  four_migrations
  tide up
  tide down --step 2
  expect_exit 0
  expect_applied "001 002"
  expect_no_table posts
  expect_no_table tags
  expect_sql "SELECT role FROM users" "admin"
}

test_down_to_version() {
  four_migrations
  tide up
  tide down --to 001
  expect_exit 0
  expect_applied "001"
  expect_table users
  # The column added by 002 was dropped by its down.
  expect_sql "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'role'" 0
}

test_down_all() {
  four_migrations
  tide up
  tide down --all
  expect_exit 0
  expect_sql "SELECT count(*) FROM tide_history" 0
  expect_no_table users
  expect_no_table posts
  tide down
  expect_exit 0
  expect_stdout_contains "nothing to revert"
}

test_down_then_up_again() {
  four_migrations
  tide up
  tide down --all
  tide up
  expect_exit 0
  expect_applied "001 002 003 004"
  expect_sql "SELECT title FROM posts" "hello admin"
}

test_redo() {
  four_migrations
  tide up
  # Mark the table so redo's down + up is visible: the row vanishes with the table.
  sql "INSERT INTO tags VALUES ('marker')" >/dev/null
  tide redo
  expect_exit 0
  expect_applied "001 002 003 004"
  expect_sql "SELECT count(*) FROM tags" 0
  expect_stdout_contains "reverted"
  expect_stdout_contains "applied"
}

test_redo_with_nothing_applied_fails() {
  four_migrations
  tide redo
  [[ "$RC" != 0 ]] || fail "redo with nothing applied should fail"
}

test_json_one_object_per_line() {
  four_migrations
  tide --json up
  expect_exit 0
  python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$OUT" || fail "stdout is not JSON lines"
  local applied
  applied=$(python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
print(" ".join(e["version"] for e in evs if e["event"] == "applied"))' <"$OUT")
  expect_eq "$applied" "001 002 003 004" "versions of the applied events"
  tide --json status
  expect_exit 0
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
st = {e["version"]: e["state"] for e in evs if e["event"] == "status"}
assert st == {"001": "applied", "002": "applied", "003": "applied", "004": "applied"}, st
' <"$OUT" || fail "status --json does not list the four applied migrations"
  tide --json down --step 2
  expect_exit 0
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
assert [e["version"] for e in evs if e["event"] == "reverted"] == ["004", "003"], evs
' <"$OUT" || fail "down --json does not report 004 and 003 reverted"
}

test_json_errors_are_json_too() {
  project
  write migrations/001_bad.sql <<'EOF'
CREATE TABLE t (id integer);
INSERT INTO nope VALUES (1);
EOF
  tide --json up
  expect_exit 1
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
err = [e for e in evs if e["event"] == "error"]
assert err and err[0]["exit_code"] == 1, evs
assert err[0]["where"] == "migrations/001_bad.sql:2", err
assert "nope" in err[0]["message"], err
assert [e["version"] for e in evs if e["event"] == "failed"] == ["001"], evs
' <"$OUT" || fail "--json failure does not end with an error event naming the file, line and exit code"
}

test_json_stays_json_when_migrations_print() {
  project
  write migrations/001_chatty.lua <<'EOF'
return {
  up = function(db)
    print("hello from print", 42)
    tide.log("copied %d rows", 3)
    db:exec [[CREATE TABLE chatty (id integer)]]
  end,
  down = function(db) db:exec [[DROP TABLE chatty]] end,
}
EOF
  tide --json up
  expect_exit 0
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
msgs = [e.get("message") for e in evs if e["event"] == "log"]
assert msgs == ["hello from print\t42", "copied 3 rows"], msgs
' <"$OUT" || fail "--json output broken by print(), or log events missing"
  tide down
  tide --quiet up
  expect_exit 0
  expect_stdout_empty
  tide down
  tide up
  expect_stdout_contains "hello from print"
  expect_stdout_contains "copied 3 rows"
}

test_quiet_prints_nothing_on_success() {
  four_migrations
  tide --quiet up
  expect_exit 0
  expect_stdout_empty
  expect_applied "001 002 003 004"
  tide -q down
  expect_exit 0
  expect_stdout_empty
  expect_applied "001 002 003"
}

test_quiet_still_reports_errors() {
  project
  write migrations/001_bad.sql <<'EOF'
SELECT * FROM missing_table;
EOF
  tide --quiet up
  expect_exit 1
  expect_stderr_contains "missing_table"
}

test_no_escape_codes_when_not_a_terminal() {
  four_migrations
  tide up
  expect_exit 0
  ! grep -q $'\033' "$OUT" "$ERR" || fail "escape codes in output to a file"
  tide status
  ! grep -q $'\033' "$OUT" || fail "escape codes in status output to a file"
}

# The output goes to a pseudo-terminal here (via script(1)): colour unless disabled.
test_no_color_and_NO_COLOR_on_a_terminal() {
  command -v script >/dev/null || { echo "  (script(1) not installed: skipped)"; return 0; }
  four_migrations
  script -qec "$TIDE_BIN status" /dev/null >tty.out </dev/null
  grep -q $'\033\[' tty.out || fail "no colour on a terminal (test setup broken?): $(cat -v tty.out)"
  script -qec "$TIDE_BIN --no-color status" /dev/null >tty.out </dev/null
  ! grep -q $'\033\[' tty.out || fail "--no-color still printed escape codes: $(cat -v tty.out)"
  NO_COLOR=1 script -qec "$TIDE_BIN status" /dev/null >tty.out </dev/null
  ! grep -q $'\033\[' tty.out || fail "NO_COLOR=1 still printed escape codes: $(cat -v tty.out)"
}

# stdout on a terminal, stderr to a file: the error in the file has no escape codes.
test_no_escape_codes_in_redirected_stderr() {
  command -v script >/dev/null || { echo "  (script(1) not installed: skipped)"; return 0; }
  project
  write migrations/001_bad.sql <<'EOF'
SELECT * FROM no_such_table;
EOF
  script -qec "$TIDE_BIN up 2>err.txt" /dev/null >tty.out </dev/null
  grep -q "no_such_table" err.txt || fail "the error did not reach err.txt: $(cat -v err.txt tty.out)"
  ! grep -q $'\033\[' err.txt || fail "escape codes in redirected stderr: $(cat -v err.txt)"
}

test_pending_migration_added_later_is_applied() {
  four_migrations
  tide up
  sql_migration 005_comments.sql comments
  tide status
  expect_stdout_matches '^005 +comments +pending'
  tide up
  expect_exit 0
  expect_applied "001 002 003 004 005"
}

test_lua_api_query_scalar_rows_and_log() {
  project
  write migrations/001_api.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE n (i integer, s text)]]
    for i = 1, 5 do db:exec("INSERT INTO n VALUES (?, ?)", i, "v" .. i) end
    local total = 0
    for row in db:rows("SELECT i FROM n WHERE i > ?", 2) do total = total + row.i end
    local q = db:query("SELECT s FROM n ORDER BY i DESC")
    local c = db:scalar("SELECT count(*) FROM n")
    db:exec("CREATE TABLE result (total integer, first text, count integer, dialect text, env text)")
    db:exec("INSERT INTO result VALUES (?, ?, ?, ?, ?)", total, q[1].s, c, db.dialect, tide.env)
    db:exec("CREATE TABLE " .. db:quote_ident("we\"ird") .. " (x integer)")
    tide.log("copied %d rows", c)
  end,
  down = function(db) db:exec [[DROP TABLE n; DROP TABLE result; DROP TABLE "we""ird"]] end,
}
EOF
  tide up
  expect_exit 0
  expect_sql "SELECT total, first, count, dialect, env FROM result" "12|v5|5|sqlite|development"
  expect_table 'we"ird'
  expect_stdout_contains "copied 5 rows"
}

test_lua_transaction_helper_rolls_back_on_error() {
  project
  write migrations/001_tx.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE t (i integer)]]
    db:exec [[INSERT INTO t VALUES (1)]]
    local ok = pcall(db.transaction, db, function(tx)
      tx:exec [[INSERT INTO t VALUES (2)]]
      error("boom")
    end)
    assert(not ok)
    db:transaction(function(tx) tx:exec [[INSERT INTO t VALUES (3)]] end)
  end,
  down = function(db) db:exec [[DROP TABLE t]] end,
}
EOF
  tide up
  expect_exit 0
  expect_sql "SELECT group_concat(i) FROM (SELECT i FROM t ORDER BY i)" "1,3"
}

# Leaving a db:rows loop early must not break the history write after the migration.
test_breaking_out_of_rows_loop() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    db:exec [[INSERT INTO a VALUES (1), (2), (3)]]
    for row in db:rows("SELECT id FROM a ORDER BY id") do
      if row.id == 1 then break end
    end
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
}
EOF
  write migrations/002_b.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    for row in db:rows("SELECT id FROM a") do break end
  end,
  down = function(db) end,
}
EOF
  tide up
  expect_exit 0
  expect_applied "001 002"
}

# A statement inside a db:rows loop ends the loop's query; the next step says so.
test_statement_inside_rows_loop_is_reported() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    db:exec [[INSERT INTO a VALUES (1), (2)]]
    for row in db:rows("SELECT id FROM a") do
      db:exec("UPDATE a SET id = id + 10 WHERE id = ?", row.id)
    end
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "ended by a later statement"
  expect_stderr_contains "migrations/001_a.lua:5"
  expect_no_table a
}

run_tests
