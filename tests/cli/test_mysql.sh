#!/usr/bin/env bash
# tide on a real MariaDB server: up / down / status, every migration recorded dirty
# before it runs and applied after (MySQL commits DDL implicitly), row-only migrations
# in a transaction, and the issue's bad input: a third DDL statement that fails, a wrong
# password, an unknown database, the connection lost mid-run, two concurrent runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"

test_up_status_down() {
  mysql_project
  write migrations/001_users.sql <<'EOF'
-- tide:up
CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL);
CREATE INDEX users_email ON users (email);
-- tide:down
DROP TABLE users;
EOF
  write migrations/002_posts.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE posts (id INT PRIMARY KEY, user_id INT, title TEXT)]]
    db:exec("INSERT INTO users (id, email) VALUES (?, ?)", 1, "a@example.com")
  end,
  down = function(db)
    db:exec [[DROP TABLE posts]]
    db:exec [[DELETE FROM users]]
  end,
}
EOF
  tide up
  expect_exit 0
  expect_stdout_contains "mysql://$MY_USER:***@"
  expect_stdout_not_contains "$MY_PASS"
  expect_history 001 applied
  expect_history 002 applied
  expect_mq "SELECT email FROM users" "a@example.com"
  tide status
  expect_exit 0
  expect_stdout_contains "2 applied"
  tide down
  expect_exit 0
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 'posts'" 0
  expect_mq "SELECT COUNT(*) FROM tide_history" 1
  tide up
  expect_exit 0
  expect_history 002 applied
}

# Each migration sees its own history row dirty while it runs, and the one before it
# already applied (the two marks share one commit).
test_dirty_before_applied_after() {
  mysql_project
  write migrations/001_a.sql <<'EOF'
CREATE TABLE a (id INT);
EOF
  for v in 002 003; do
    write migrations/${v}_probe.lua <<EOF
return {
  up = function(db)
    db:exec [[CREATE TABLE IF NOT EXISTS seen (version VARCHAR(10), own VARCHAR(10), previous VARCHAR(10))]]
    local own = db:scalar("SELECT status FROM tide_history WHERE version = ?", "$v")
    local previous = db:scalar("SELECT status FROM tide_history WHERE version = ?", string.format("%03d", $v - 1))
    db:exec("INSERT INTO seen VALUES (?, ?, ?)", "$v", own, previous)
  end,
}
EOF
  done
  tide up
  expect_exit 0
  expect_mq "SELECT CONCAT_WS(' ', version, own, previous) FROM seen ORDER BY version" "002 dirty applied
003 dirty applied"
  expect_history 003 applied
}

test_third_ddl_statement_fails() {
  mysql_project
  write migrations/001_three.sql <<'EOF'
-- tide:up
CREATE TABLE a (id INT PRIMARY KEY);
CREATE TABLE b (id INT);

CREATE TABLE c (id INT, FOREIGN KEY (id) REFERENCES missing_table (id));
CREATE TABLE d (id INT);
-- tide:down
DROP TABLE b;
DROP TABLE a;
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_three.sql:5:"
  expect_stderr_contains "statement 3: CREATE TABLE c"
  expect_stderr_contains "mysql error 1005"
  # The way out: resolve either way, repair, and on_error (which an SQL file cannot have).
  expect_stderr_contains "the database commits DDL as it runs"
  expect_stderr_contains "tide resolve 001 --applied"
  expect_stderr_contains "tide resolve 001 --rolled-back"
  expect_stderr_contains "tide repair"
  expect_stderr_contains "written as a .lua migration, its \`on_error = function(db, err)\` can do that undo"
  expect_history 001 dirty
  expect_mq "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables
             WHERE table_schema = '$MY_DB' AND table_name IN ('a', 'b', 'c', 'd')" "a,b"
  expect_mq "SELECT error LIKE '%statement 3%' FROM tide_history WHERE version = '001'" 1
  # The next run stops at the dirty migration and names the way out.
  tide up
  expect_exit 5
  expect_stderr_contains "migration 001 is dirty"
  expect_stderr_contains "tide resolve 001 --applied"
  # Undo by hand, fix the file, say it rolled back: the next up runs it again.
  mq "DROP TABLE a; DROP TABLE b"
  sed -i 's/FOREIGN KEY (id) REFERENCES missing_table (id)/note TEXT/' migrations/001_three.sql
  tide resolve 001 --rolled-back
  expect_exit 0
  tide up
  expect_exit 0
  expect_history 001 applied
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 'd'" 1
}

# Statements that only change rows run in a transaction even on MySQL: a failure keeps
# nothing and records nothing.
test_row_only_migration_rolls_back() {
  mysql_project
  write migrations/001_t.sql <<'EOF'
CREATE TABLE t (id INT PRIMARY KEY);
EOF
  write migrations/002_rows.sql <<'EOF'
INSERT INTO t VALUES (1);
INSERT INTO t VALUES (2);
INSERT INTO t VALUES (1);
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/002_rows.sql:3:"
  expect_stderr_contains "Duplicate entry"
  expect_stderr_contains "SQLSTATE 23000"
  expect_stderr_contains "rolled back"
  expect_mq "SELECT COUNT(*) FROM t" 0
  expect_mq "SELECT COUNT(*) FROM tide_history WHERE version = '002'" 0
  expect_history 001 applied
}

# A Lua migration's on_error on MySQL: it runs after the failure, and the message says
# what it did instead of offering it.

# two_halves_with_on_error SQL: a project whose migration 001 creates one table, fails on
# the second, and runs SQL in its on_error.
two_halves_with_on_error() {
  mysql_project
  write migrations/001_two.lua <<EOF
return {
  up = function(db)
    db:exec [[CREATE TABLE first_half (id INT)]]
    db:exec [[CREATE TABLE second_half (id INT REFERENCES missing_table (id))]]
  end,
  down = function(db) db:exec [[DROP TABLE first_half]] end,
  on_error = function(db, err) db:exec [[$1]] end,
}
EOF
}

test_on_error_undoes_ddl_and_clears_dirty() {
  two_halves_with_on_error "DROP TABLE IF EXISTS first_half"
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_two.lua:4:"
  expect_stdout_contains "001 on_error ran: ok; its dirty record was removed"
  expect_stderr_contains "its on_error hook ran and succeeded, so its dirty record was removed"
  expect_stderr_contains "hint: fix the migration, then run \`tide up\` again"
  expect_stderr_not_contains "\`on_error = function"
  expect_mq "SELECT COUNT(*) FROM tide_history" 0
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 'first_half'" 0
}

test_failing_on_error_keeps_dirty_and_says_so() {
  two_halves_with_on_error "DROP TABLE no_such_table"
  tide up
  expect_exit 1
  expect_stdout_contains "001 on_error failed:"
  expect_stderr_contains "its on_error hook failed too:"
  expect_stderr_contains "Unknown table"
  expect_stderr_contains "hint: its on_error hook did not undo it, so migration 001 stays dirty"
  expect_stderr_contains "tide resolve 001 --rolled-back"
  expect_stderr_not_contains "\`on_error = function"
  expect_history 001 dirty
  expect_mq "SELECT error LIKE '%on_error hook failed too%Unknown table%' FROM tide_history" 1
  # The next run's message carries both errors from the history.
  tide up
  expect_exit 5
  expect_stderr_contains "migration 001 is dirty"
  expect_stderr_contains "its on_error hook failed too:"
  expect_stderr_contains "tide repair"
}

test_wrong_password_is_never_shown() {
  mysql_project
  sql_migration 001_a.sql a
  local secret="Wr0ng-s3cret-pw"
  local url="mysql://$MY_USER:$secret@$MY_HOST:$MY_PORT/$MY_DB"
  tide --database "$url" up
  expect_exit 1
  expect_stderr_contains "Access denied for user"
  expect_stderr_contains "mysql://$MY_USER:***@"
  ! grep -qF "$secret" "$OUT" "$ERR" || fail "the password appears in the output"
  tide --json --database "$url" up
  expect_exit 1
  expect_stdout_contains '"event":"error"'
  expect_stdout_contains "Access denied"
  ! grep -qF "$secret" "$OUT" "$ERR" || fail "the password appears in the --json output"
}

test_unknown_database() {
  mysql_project
  sql_migration 001_a.sql a
  tide --database "mysql://$MY_USER:$MY_PASS@$MY_HOST:$MY_PORT/tide_no_such_database" up
  expect_exit 1
  expect_stderr_contains "Unknown database 'tide_no_such_database'"
  expect_stderr_contains "SQLSTATE 42000"
  ! grep -qF "$MY_PASS" "$OUT" "$ERR" || fail "the password appears in the output"
}

# The server ends the session in the middle of a migration (as a restart or a crash
# does): the run fails saying the connection is gone, and the migration stays dirty.
test_connection_lost_mid_run() {
  mysql_project
  write migrations/001_slow.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE before_loss (id INT)]]
    tide.log("sleeping")
    db:exec [[SELECT SLEEP(30)]]
    db:exec [[CREATE TABLE after_loss (id INT)]]
  end,
}
EOF
  ("$TIDE_BIN" up >"$T_DIR/bg.out" 2>"$T_DIR/bg.err" </dev/null; echo $? >"$T_DIR/bg.rc") &
  local i id=""
  for ((i = 0; i < 200; i++)); do
    id=$(mq "SELECT id FROM information_schema.processlist WHERE db = '$MY_DB' AND info LIKE 'SELECT SLEEP%'")
    [[ -n $id ]] && break
    sleep 0.1
  done
  [[ -n $id ]] || fail "the migration's session never showed up"
  mq "KILL CONNECTION $id" >/dev/null
  for ((i = 0; i < 200; i++)); do
    [[ -s $T_DIR/bg.rc ]] && break
    sleep 0.1
  done
  [[ $(cat "$T_DIR/bg.rc" 2>/dev/null) == 1 ]] || fail "tide should exit 1 after losing the connection: $(cat "$T_DIR/bg.err")"
  grep -qE "Lost connection|server has gone away|Connection was killed" "$T_DIR/bg.err" ||
    fail "the error does not say the connection was lost: $(cat "$T_DIR/bg.err")"
  grep -qF "migrations/001_slow.lua" "$T_DIR/bg.err" || fail "the error does not name the file: $(cat "$T_DIR/bg.err")"
  grep -qF 'an `on_error = function(db, err)` in the migration can do that undo' "$T_DIR/bg.err" ||
    fail "the hint does not offer on_error: $(cat "$T_DIR/bg.err")"
  expect_history 001 dirty
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 'after_loss'" 0
  tide status
  expect_stdout_contains "dirty"
}

test_two_concurrent_runs_apply_each_once() {
  mysql_project
  write migrations/001_counter.sql <<'EOF'
CREATE TABLE runs (migration VARCHAR(10));
EOF
  for v in 002 003 004; do
    write migrations/${v}_step.lua <<EOF
return {
  up = function(db)
    db:exec("INSERT INTO runs VALUES (?)", "$v")
    db:exec [[CREATE TABLE t$v (id INT)]]
    tide.sleep(0.3)
  end,
}
EOF
  done
  ("$TIDE_BIN" up >"$T_DIR/a.out" 2>"$T_DIR/a.err" </dev/null; echo $? >"$T_DIR/a.rc") &
  ("$TIDE_BIN" up >"$T_DIR/b.out" 2>"$T_DIR/b.err" </dev/null; echo $? >"$T_DIR/b.rc") &
  wait
  [[ $(cat "$T_DIR/a.rc") == 0 ]] || fail "first run failed: $(cat "$T_DIR/a.err")"
  [[ $(cat "$T_DIR/b.rc") == 0 ]] || fail "second run failed: $(cat "$T_DIR/b.err")"
  expect_mq "SELECT GROUP_CONCAT(migration ORDER BY migration) FROM runs" "002,003,004"
  expect_mq "SELECT COUNT(*) FROM tide_history WHERE status = 'applied'" 4
}

test_lock_timeout_exit_4() {
  mysql_project
  sql_migration 001_a.sql a
  # Another session holds the lock tide takes for this database.
  (MYSQL_PWD=$MY_PASS "$MARIADB_CLIENT" --no-defaults -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" "$MY_DB" \
    -e "SELECT GET_LOCK('tide:tide_history@$MY_DB', 0); SELECT SLEEP(5)" >/dev/null 2>&1) &
  local holder=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(mq "SELECT IS_USED_LOCK('tide:tide_history@$MY_DB') IS NOT NULL") == 1 ]] && break
    sleep 0.1
  done
  tide --lock-timeout 300ms up
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  expect_exit 4
  expect_stderr_contains "migration lock not acquired within 300 ms"
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = 'a'" 0
}

# MySQL commits DDL as it runs: a dry run could not be rolled back, so it is refused
# with the way out; tide plan works, reads no history table it would have to create, and
# says which migrations are recorded dirty first.
test_dry_run_refused_plan_shows_modes() {
  mysql_project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id INT);
EOF
  write migrations/002_rows.sql <<'EOF'
-- tide:up
INSERT INTO a VALUES (1);
EOF
  tide up --dry-run
  expect_exit 2
  expect_stderr_contains "up --dry-run needs transactional DDL, which mysql does not have"
  expect_stderr_contains "tide plan"
  tide plan
  expect_exit 0
  expect_stdout_contains "-- 001 a · dirty-first"
  expect_stdout_contains "-- 002 rows · in a transaction"
  expect_stdout_contains "INSERT INTO a VALUES (1);"
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB'" 0
}

# The server's own count of the history work for DDL migrations, on tide's session (the
# hooks run on it): per migration one history statement that commits alone (the applied
# mark of the one before and the dirty mark of this one as one two-row upsert: two row
# writes, one of them an update, no BEGIN/COMMIT) besides the DDL. The `mariadb` client
# applying the same DDL with one history INSERT each makes as many statements and
# commits: a new write shape that costs more fails here.
test_history_writes_per_migration() {
  mysql_project
  local n=5 v
  for ((v = 1; v <= n; v++)); do
    printf -- '-- tide:up\nCREATE TABLE t%d (id INT PRIMARY KEY);\n' "$v" >"migrations/00${v}_t$v.sql"
  done
  write tide.lua <<EOF
local names = "'QUESTIONS','COM_INSERT','COM_UPDATE','COM_BEGIN','COM_COMMIT','COM_CREATE_TABLE','COM_STMT_EXECUTE','HANDLER_COMMIT','HANDLER_WRITE','HANDLER_UPDATE'"
local function counters(ctx)
  local out = {}
  for _, r in ipairs(ctx.db:query("SELECT UPPER(VARIABLE_NAME) AS n, VARIABLE_VALUE AS v FROM " ..
      "information_schema.SESSION_STATUS WHERE UPPER(VARIABLE_NAME) IN (" .. names .. ")")) do
    out[#out + 1] = r.n .. "=" .. r.v
  end
  return table.concat(out, " ")
end
return {
  database = "$MY_URL",
  hooks = {
    before_migrate = function(ctx) tide.log("counters before " .. counters(ctx)) end,
    after_migrate = function(ctx) tide.log("counters after " .. counters(ctx)) end,
  },
}
EOF
  tide up
  expect_exit 0
  local before after name a b
  before=$(grep -o 'counters before .*' "$OUT") || fail "no counters before the run"
  after=$(grep -o 'counters after .*' "$OUT") || fail "no counters after the run"
  for name in QUESTIONS COM_INSERT COM_UPDATE COM_BEGIN COM_COMMIT COM_CREATE_TABLE COM_STMT_EXECUTE HANDLER_COMMIT \
    HANDLER_WRITE HANDLER_UPDATE; do
    a=$(grep -o " $name=[0-9]*" <<<"$before" | cut -d= -f2)
    b=$(grep -o " $name=[0-9]*" <<<"$after" | cut -d= -f2)
    [[ -n $a && -n $b ]] || fail "counter $name missing: $before / $after"
    printf -v "d_$name" '%d' $((b - a))
  done
  [[ $d_COM_CREATE_TABLE == "$n" ]] || fail "expected $n CREATE TABLE, counted $d_COM_CREATE_TABLE"
  # The first migration's dirty mark, then one upsert per later migration (the last
  # applied mark is written after after_migrate).
  [[ $d_COM_INSERT == "$n" ]] || fail "expected $n history statements, counted $d_COM_INSERT"
  [[ $d_COM_UPDATE == 0 && $d_COM_BEGIN == 0 && $d_COM_COMMIT == 0 ]] ||
    fail "the history needs no UPDATE, BEGIN or COMMIT statement: counted $d_COM_UPDATE, $d_COM_BEGIN, $d_COM_COMMIT"
  [[ $d_HANDLER_COMMIT == "$n" ]] || fail "expected $n commits (one per migration), counted $d_HANDLER_COMMIT"
  [[ $d_HANDLER_WRITE == $((2 * n - 1)) && $d_HANDLER_UPDATE == $((n - 1)) ]] ||
    fail "expected $((2 * n - 1)) row writes and $((n - 1)) updates, counted $d_HANDLER_WRITE and $d_HANDLER_UPDATE"
  # Two statements per migration; besides them only the after hook's own query and the
  # driver's one-time read of @@max_allowed_packet.
  ((d_QUESTIONS <= 2 * n + 2)) || fail "expected at most $((2 * n + 2)) statements, counted $d_QUESTIONS"
  # Each history write goes as text in the message of its migration's CREATE TABLE
  # (upsert_then_exec), not as a prepared statement of its own: the only execute is the
  # after hook's own query.
  ((d_COM_STMT_EXECUTE <= 1)) || fail "expected no prepared history writes, counted $d_COM_STMT_EXECUTE executes"
  expect_mq "SELECT COUNT(*) FROM tide_history WHERE status = 'applied'" "$n"
}

run_tests
