# Helpers for the end-to-end tests on MariaDB/MySQL (test_mysql*.sh), sourced after
# lib.sh. The server comes from scripts/db-servers (TIDE_TEST_MYSQL_URL); without it the
# script is skipped (exit 77), unless TIDE_REQUIRE_SERVERS=1 (scripts/test), where that
# is a failure. Every test gets a database of its own, so tests cannot see each other.
#
#   mysql_project            tide.lua pointing at a fresh database (MY_DB, MY_URL)
#   mq "SQL"                 run SQL in that database with the mariadb client (tab-separated)
#   expect_mq "SQL" TEXT     the query's output is TEXT
#   expect_history V STATUS  the history row of version V has that status

if [[ -z ${TIDE_TEST_MYSQL_URL:-} ]]; then
  if [[ ${TIDE_REQUIRE_SERVERS:-} == 1 ]]; then
    echo "TIDE_TEST_MYSQL_URL is not set, and TIDE_REQUIRE_SERVERS=1: start MariaDB with scripts/db-servers" >&2
    exit 1
  fi
  echo "skipped: TIDE_TEST_MYSQL_URL is not set (eval \"\$(scripts/db-servers start mariadb)\" first)"
  exit 77
fi
MARIADB_CLIENT=$(command -v mariadb || command -v mysql) || {
  echo "the mariadb client is missing" >&2
  exit 1
}

# mysql://user:password@host:port/database
[[ $TIDE_TEST_MYSQL_URL =~ ^mysql://([^:]+):([^@]*)@([^:/]+):([0-9]+)/ ]] || {
  echo "cannot read TIDE_TEST_MYSQL_URL" >&2
  exit 1
}
MY_USER=${BASH_REMATCH[1]}
MY_PASS=${BASH_REMATCH[2]}
MY_HOST=${BASH_REMATCH[3]}
MY_PORT=${BASH_REMATCH[4]}
MY_DB=""
MY_URL=""

mq_in() {
  MYSQL_PWD=$MY_PASS "$MARIADB_CLIENT" --no-defaults -h "$MY_HOST" -P "$MY_PORT" -u "$MY_USER" -N -B \
    ${1:+"$1"} -e "$2"
}

mq() { mq_in "$MY_DB" "$1" 2>&1 || fail "mariadb failed on $MY_DB: $1"; }

expect_mq() {
  local got
  got=$(mq "$1") || exit 1
  [[ "$got" == "$2" ]] || fail "query: $1
  expected: $(printf '%q' "$2")
  got:      $(printf '%q' "$got")"
}

expect_history() {
  expect_mq "SELECT status FROM tide_history WHERE kind = 'migration' AND version = '$1'" "$2"
}

# A fresh database named after the test, and tide.lua pointing at it.
mysql_project() {
  MY_DB=$(printf 'tc_%s_%s' "${T_SCRIPT#test_}" "${T_NAME#test_}" | cut -c1-64)
  mq_in "" "DROP DATABASE IF EXISTS \`$MY_DB\`; CREATE DATABASE \`$MY_DB\`" || fail "cannot create database $MY_DB"
  MY_URL="mysql://$MY_USER:$MY_PASS@$MY_HOST:$MY_PORT/$MY_DB"
  printf 'return { database = "%s", lock_timeout = "20s" }\n' "$MY_URL" >tide.lua
  mkdir -p migrations
}
