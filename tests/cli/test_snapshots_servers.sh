#!/usr/bin/env bash
# The PostgreSQL and MySQL snapshot providers for real: a run whose third migration
# fails ends with the database exactly as before the run (schema, data, owners,
# privileges, the database's own properties), through pg_dump, postgres_template and
# mysqldump. Each test makes its own scratch database on
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

# The whole database as pg_dump prints it, owners and privileges included. Newer pg_dump
# releases frame the script with `\restrict KEY` / `\unrestrict KEY` lines whose key is
# random in every dump: those two lines are dropped, nothing else.
pg_state() {
  local dump
  dump=$(pg_dump -d "$1") || return 1
  grep -v -E '^\\(un)?restrict ' <<<"$dump"
  # What a dump cannot show: the schema's identity and PostgreSQL 15's initial privileges
  # of public (lost if a restore drops and recreates it).
  pg "$1" "SELECT n.oid, n.nspname, n.nspowner::regrole, n.nspacl, i.initprivs FROM pg_namespace n
           LEFT JOIN pg_init_privs i ON i.objoid = n.oid AND i.classoid = 'pg_namespace'::regclass
           WHERE n.nspname = 'public'" || return 1
  # The database's own properties, which a dump does not hold either.
  pg "$1" "SELECT d.datdba::regrole, d.datacl, d.datconnlimit, shobj_description(d.oid, 'pg_database'),
             (SELECT array_agg(s.setrole::regrole || ':' || s.setconfig::text ORDER BY s.setrole)
                FROM pg_db_role_setting s WHERE s.setdatabase = d.oid)
           FROM pg_database d WHERE d.datname = current_database()"
}

# pg_case PROVIDER [EXTRA_002_SQL]: the recipe on a scratch database; migration 002 of
# the failing run also runs EXTRA_002_SQL (and is committed before 004 fails).
pg_case() {
  local provider=$1 extra=${2:-}
  need_server TIDE_TEST_POSTGRES_URL postgres || return 0
  local base=$TIDE_TEST_POSTGRES_URL scratch="tide_snap_$$_$RANDOM"
  pg "$base" "CREATE DATABASE $scratch" || fail "cannot create a scratch database (the test user needs CREATEDB)"
  trap "pg '$base' 'DROP DATABASE IF EXISTS $scratch WITH (FORCE)' >/dev/null 2>&1;
        pg '$base' 'DROP DATABASE IF EXISTS ${scratch}_snap' >/dev/null 2>&1" EXIT
  local url
  url=$(with_db "$base" "$scratch")
  # Properties of the database itself, which a copy of it does not carry.
  pg "$url" "ALTER DATABASE $scratch SET work_mem = '8MB'; ALTER DATABASE $scratch SET search_path = public, \"\$user\";
             COMMENT ON DATABASE $scratch IS 'the scratch one'; REVOKE TEMPORARY ON DATABASE $scratch FROM PUBLIC" ||
    fail "cannot set the scratch database's properties"
  provider=${provider//URL/$url}
  server_recipe "$url" "${provider//SNAP/${scratch}_snap}"
  tide up
  expect_exit 0
  third_fails
  [[ -z $extra ]] || printf '%s\n' "$extra" >>migrations/002_b.sql
  local before after
  before=$(pg_state "$url") || fail "pg_dump failed"
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/004_bad.sql"
  expect_stdout_contains "hook after_migrate_error (tide.lua) ok"
  after=$(pg_state "$url") || fail "pg_dump failed"
  [[ "$before" == "$after" ]] || fail "the database differs from before the run: $(diff <(echo "$before") <(echo "$after") | head -20)"
}

# postgres_template: tide steps aside from its connection (tide.step_aside) for the copy
# and for the swap, since PostgreSQL refuses to copy or rename a database anyone is
# connected to.
test_postgres_template_restores_the_database() {
  pg_case 'tide.snapshot.postgres_template.create{url = "URL", name = "SNAP"}'
}

test_pg_dump_restores_the_database() {
  pg_case 'tide.snapshot.pg_dump.create{url = "URL", path = "before.dump"}'
}

# A migration that changed the schema itself (its privileges, its comment) and added
# objects of kinds a table-only restore would miss: all of it goes back.
test_pg_dump_restores_the_schema_itself() {
  pg_case 'tide.snapshot.pg_dump.create{url = "URL", path = "before.dump"}' "
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
COMMENT ON SCHEMA public IS 'changed by 002';
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE DOMAIN short_text AS varchar(5);
CREATE FUNCTION twice(i integer) RETURNS integer LANGUAGE sql AS 'SELECT 2 * i';
CREATE VIEW kept_view AS SELECT twice(id) AS d FROM kept;
CREATE SEQUENCE loose_seq;"
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
