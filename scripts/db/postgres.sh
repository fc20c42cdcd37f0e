# scripts/db/postgres.sh: PostgreSQL for scripts/db-servers (sourced; uses its helpers).
#
# postgres_start: install postgresql if missing, initdb a cluster in $TIDE_DB_DIR/postgres
# as the postgres user, start it on a free port and a unix socket in that folder, create
# the test role (with a password) and database, export_var TIDE_TEST_POSTGRES_URL.
# postgres_stop: stop that cluster if it runs (pg_ctl stop -m fast); never fails.

postgres_start() {
  say "db-servers: PostgreSQL is not set up yet; its tests will skip"
}

postgres_stop() {
  return 0
}
