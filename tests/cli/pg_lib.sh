# Helpers for the PostgreSQL end-to-end tests (test_postgres*.sh), on top of lib.sh:
# source lib.sh first, then this file.
#
# The server comes from scripts/db-servers (TIDE_TEST_POSTGRES_URL). Without it the
# script skips (exit 77, which ctest reports as skipped), or fails when
# TIDE_REQUIRE_SERVERS=1 (scripts/test, CI).
#
# In a test:
#   pg_project              a fresh database of its own, DATABASE_URL pointing at it, and
#                           a tide.lua without a database (so DATABASE_URL is used)
#   pg "SELECT ..."         query that database with psql (unaligned, tuples only)
#   expect_pg "SELECT ..." EXPECTED
#   pg_applied              applied versions, in order, space-separated

if [[ -z ${TIDE_TEST_POSTGRES_URL:-} ]]; then
  if [[ ${TIDE_REQUIRE_SERVERS:-} == 1 ]]; then
    echo "TIDE_TEST_POSTGRES_URL is not set (TIDE_REQUIRE_SERVERS=1): start PostgreSQL with scripts/db-servers" >&2
    exit 1
  fi
  echo "skipped: TIDE_TEST_POSTGRES_URL is not set (eval \"\$(scripts/db-servers start postgres)\")"
  exit 77
fi
command -v psql >/dev/null || { echo "psql not found (install postgresql-client)" >&2; exit 1; }

PG_BASE_URL=$TIDE_TEST_POSTGRES_URL
PG_DATABASES="$T_ROOT/.pg-databases"

# Databases made by this script are dropped when it ends (the trap of lib.sh, extended).
pg_drop_databases() {
  [[ -f $PG_DATABASES ]] || return 0
  local name
  while read -r name; do
    psql -X -q -d "$PG_BASE_URL" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1
  done <"$PG_DATABASES"
}
trap 'pg_drop_databases; rm -rf "$T_ROOT"' EXIT

# The base URL with another database name.
pg_url_for() { printf '%s/%s' "${PG_BASE_URL%/*}" "$1"; }

# The URL's password.
pg_password() {
  local rest=${PG_BASE_URL#*://}
  rest=${rest%%@*}
  printf '%s' "${rest#*:}"
}

pg_project() {
  local name
  name="t_$(printf '%s' "${T_NAME:-x}" | tr -c 'a-z0-9_' '_' | cut -c1-40)_$$"
  psql -X -q -v ON_ERROR_STOP=1 -d "$PG_BASE_URL" -c "CREATE DATABASE \"$name\"" >/dev/null ||
    fail "cannot create database $name"
  echo "$name" >>"$PG_DATABASES"
  PG_URL=$(pg_url_for "$name")
  export DATABASE_URL=$PG_URL
  write tide.lua <<'EOF'
return {}
EOF
  mkdir -p migrations seeds
}

pg() {
  psql -X -A -t -q -v ON_ERROR_STOP=1 -d "${PG_URL:?pg_project first}" -c "$1" 2>&1 || fail "psql failed: $1"
}

expect_pg() {
  local got
  got=$(pg "$1") || exit 1
  [[ "$got" == "$2" ]] || fail "query: $1
  expected: $(printf '%q' "$2")
  got:      $(printf '%q' "$got")"
}

pg_applied() {
  pg "SELECT coalesce(string_agg(version, ' ' ORDER BY version), '') FROM tide_history
      WHERE kind = 'migration' AND status = 'applied'"
}

expect_pg_applied() {
  local got
  got=$(pg_applied) || exit 1
  [[ "$got" == "$1" ]] || fail "applied versions: expected '$1', got '$got'"
}

expect_no_password() {
  local password
  password=$(pg_password)
  ! grep -qF -- "$password" "$OUT" "$ERR" || fail "the password appears in the output"
}
