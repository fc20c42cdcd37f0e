# scripts/db/mariadb.sh: MariaDB for scripts/db-servers (sourced; uses its helpers).
#
# mariadb_start: install mariadb-server if missing, initialise a data folder in
# $TIDE_DB_DIR/mariadb, start mariadbd as the mysql user on a free port and a unix socket
# in that folder, create the test user (with a password) and database, export_var
# TIDE_TEST_MYSQL_URL.
# mariadb_stop: stop that server if it runs; never fails.

mariadb_start() {
  say "db-servers: MariaDB is not set up yet; its tests will skip"
}

mariadb_stop() {
  return 0
}
