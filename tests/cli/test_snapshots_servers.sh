#!/usr/bin/env bash
# The PostgreSQL and MySQL snapshot providers for real: a run whose third migration
# fails ends with the database exactly as before the run (schema and data), through
# pg_dump and mysqldump. Each test makes its own scratch database on
# the server of $TIDE_TEST_POSTGRES_URL / $TIDE_TEST_MYSQL_URL (the test user needs
# CREATE DATABASE) and drops it at the end. Without a URL a test skips, or fails under
# TIDE_REQUIRE_SERVERS=1 (scripts/test); without the tide driver for the scheme (not
# built in this tree yet) it skips with a message.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# need_server VAR SCHEME: 0 when the test can run; 1 (after saying why) to skip.
need_server() {
  local url=${!1:-}
  if [[ -z "$url" ]]; then
    [[ "${TIDE_REQUIRE_SERVERS:-}" == 1 ]] && fail "\$$1 is not set (TIDE_REQUIRE_SERVERS=1)"
    echo "skip: \$$1 is not set"
    return 1
  fi
  if ! "$TIDE_BIN" drivers 2>/dev/null | grep -q "schemes.*$2"; then
    echo "skip: no tide driver for $2:// is built in this tree"
    return 1
  fi
  return 0
}

# The URL with its database replaced by $2.
with_db() { echo "${1%/*}/$2"; }

# The same recipe and migrations as test_snapshots.sh, on database URL $1, provider $2.
server_recipe() {
  write tide.lua <<EOF
local snap
return {
  database = "$1",
  hooks = {
    before_migrate      = function(ctx) snap = $2 end,
    after_migrate_error = function(ctx) snap:restore() end,
    after_migrate       = function(ctx) snap:drop() end,
  },
}
EOF
  write migrations/001_kept.sql <<'EOF'
CREATE TABLE kept (id integer primary key, v varchar(20));
INSERT INTO kept VALUES (1, 'one'), (2, 'two');
EOF
}

third_fails() {
  write migrations/002_b.sql <<'EOF'
CREATE TABLE b (id integer);
UPDATE kept SET v = 'changed by 002';
EOF
  write migrations/003_c.sql <<'EOF'
CREATE TABLE c (id integer);
EOF
  write migrations/004_bad.sql <<'EOF'
INSERT INTO no_such_table VALUES (1);
EOF
}

pg() { PGCONNECT_TIMEOUT=10 psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# The database's schema and data as pg_dump prints them, without the \restrict and
# \unrestrict lines (pg_dump 15.14+), whose key is random in every dump.
pg_state() { pg_dump --no-owner -d "$1" | grep -v '^\\\(un\)\?restrict '; }

pg_case() {
  local provider=$1
  need_server TIDE_TEST_POSTGRES_URL postgres || return 0
  local base=$TIDE_TEST_POSTGRES_URL scratch="tide_snap_$$_$RANDOM"
  pg "$base" "CREATE DATABASE $scratch" || fail "cannot create a scratch database (the test user needs CREATEDB)"
  trap "pg '$base' 'DROP DATABASE IF EXISTS $scratch WITH (FORCE)' >/dev/null 2>&1" EXIT
  local url
  url=$(with_db "$base" "$scratch")
  server_recipe "$url" "${provider//URL/$url}"
  tide up
  expect_exit 0
  pg_dump --schema-only --no-owner -d "$url" >/dev/null || fail "pg_dump failed"
  third_fails
  local before after
  before=$(pg_state "$url")
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/004_bad.sql"
  after=$(pg_state "$url")
  [[ "$before" == "$after" ]] || fail "the database differs from before the run: $(diff <(echo "$before") <(echo "$after") | head -20)"
}

# postgres_template is not run here: PostgreSQL refuses to copy a database that anyone
# is connected to, and during a run tide itself is (see the README's snapshot section).

test_pg_dump_restores_the_database() {
  pg_case 'tide.snapshot.pg_dump.create{url = "URL", path = "before.dump"}'
}

test_mysqldump_restores_the_database() {
  need_server TIDE_TEST_MYSQL_URL mysql || return 0
  local base=$TIDE_TEST_MYSQL_URL scratch="tide_snap_$$_$RANDOM"
  local user pass hostport
  user=$(echo "$base" | sed -E 's|^[a-z]+://([^:@]*).*|\1|')
  pass=$(echo "$base" | sed -E 's|^[a-z]+://[^:]*:([^@]*)@.*|\1|')
  hostport=$(echo "$base" | sed -E 's|^.*@([^/]*)/.*|\1|')
  my() { MYSQL_PWD=$pass mysql --host="${hostport%:*}" --port="${hostport##*:}" --user="$user" --batch -N -e "$1"; }
  my "CREATE DATABASE $scratch" || fail "cannot create a scratch database"
  trap "my 'DROP DATABASE IF EXISTS $scratch' >/dev/null 2>&1" EXIT
  local url
  url=$(with_db "$base" "$scratch")
  server_recipe "$url" "tide.snapshot.mysqldump.create{url = \"$url\", path = \"before.sql\"}"
  tide up
  expect_exit 0
  third_fails
  dump() { MYSQL_PWD=$pass mysqldump --host="${hostport%:*}" --port="${hostport##*:}" --user="$user" --skip-dump-date "$scratch"; }
  local before after
  before=$(dump)
  tide up
  expect_exit 1
  after=$(dump)
  [[ "$before" == "$after" ]] || fail "the database differs from before the run: $(diff <(echo "$before") <(echo "$after") | head -20)"
}

run_tests
