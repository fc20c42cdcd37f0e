// Every lint rule on every dialect it lists: a migration that must fire (rule, line and
// column of the token that fired), and the ones that must not — the safe rewrite, the
// same words in comments, strings, quoted identifiers and function / procedure bodies,
// and a table created earlier in the run. The cases are tables; a test checks that the
// firing cases cover every rule of rules().
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "lint/checks.h"
#include "lint_helper.h"

using tide::MigrationPlan;
using tide::lint::Finding;
using tide::test::LintRig;
using tide::test::of_rule;
using tide::test::PlanOptions;
using tide::test::position_of;

namespace {

struct Fire {
  const char *rule;
  const char *dialects;  // "postgres,mysql,sqlite"
  std::string sql;
  const char *marker;  // where the finding must point: the first occurrence of this text
  int nth = 0;         // ... or the nth
  PlanOptions options = {};
  const char *server_version = "";
  const char *message_part = "";  // a piece of the message, when it matters
};

struct Quiet {
  const char *rule;
  const char *dialects;
  std::string sql;
  PlanOptions options = {};
  const char *server_version = "";
};

std::vector<std::string> split_list(const char *list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

const PlanOptions kNoTransaction = tide::test::without_transaction();

// Text that looks dangerous in every dialect but is not SQL to run.
std::vector<Fire> firing_cases() {
  return {
      // not-null-without-default
      {"not-null-without-default", "postgres,mysql,sqlite",
       "-- add a role\nALTER TABLE users ADD COLUMN role text NOT NULL;", "NOT"},
      {"not-null-without-default",
       "postgres",
       "ALTER TABLE users\n  ALTER COLUMN email SET NOT NULL;",
       "NOT",
       0,
       {},
       "",
       "scans the whole table"},
      {"not-null-without-default", "postgres,mysql,sqlite", "ALTER TABLE users ADD id2 integer PRIMARY KEY;",
       "PRIMARY"},
      {"not-null-without-default",
       "sqlite",
       "ALTER TABLE users ADD COLUMN x TEXT NOT NULL;",
       "NOT",
       0,
       {},
       "",
       "SQLite cannot fill it"},
      {"not-null-without-default",
       "mysql",
       "ALTER TABLE users ADD COLUMN role varchar(20) NOT NULL, ALGORITHM=INSTANT;",
       "NOT",
       0,
       {},
       "",
       "implicit default"},
      // add-column-default-rewrite
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
       "DEFAULT",
       0,
       {},
       "",
       "volatile default gen_random_uuid()"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN seen timestamptz NOT NULL DEFAULT clock_timestamp();", "DEFAULT"},
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN n int DEFAULT public.next_number();",
       "DEFAULT",
       0,
       {},
       "",
       "if that function is VOLATILE"},
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN role text DEFAULT 'member';",
       "DEFAULT",
       0,
       {},
       "10.23",
       "PostgreSQL 10"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN seq bigserial;", "bigserial"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;",
       "GENERATED"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN lower_email text GENERATED ALWAYS AS (lower(email)) STORED;", "GENERATED"},
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN n int DEFAULT CAST(random() * 10 AS integer);",
       "DEFAULT",
       0,
       {},
       "",
       "volatile default random()"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN c text DEFAULT 'x'::text || random()::text;", "DEFAULT"},
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN c text DEFAULT CASE WHEN 'a'::text IS NULL THEN next_code() END;",
       "DEFAULT",
       0,
       {},
       "",
       "default next_code()"},
      // index-not-concurrent
      {"index-not-concurrent", "postgres", "CREATE INDEX users_email ON users (email);", "INDEX"},
      {"index-not-concurrent", "postgres", "create unique index if not exists users_email on public.users (email);",
       "index"},
      {"index-not-concurrent", "postgres", "DROP INDEX users_email;", "INDEX"},
      {"index-not-concurrent", "postgres", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
       "UNIQUE"},
      {"index-not-concurrent",
       "postgres",
       "ALTER TABLE users ADD COLUMN x text UNIQUE;",
       "UNIQUE",
       0,
       {},
       "",
       "builds its index users_x_key"},
      {"index-not-concurrent",
       "postgres",
       "ALTER TABLE users ADD COLUMN id2 bigint PRIMARY KEY;",
       "PRIMARY",
       0,
       {},
       "",
       "builds its index users_pkey"},
      {"index-not-concurrent",
       "postgres",
       "ALTER TABLE users ADD COLUMN x text NOT NULL CONSTRAINT users_x_uniq UNIQUE;",
       "UNIQUE",
       0,
       {},
       "",
       "builds its index users_x_uniq"},
      {"index-not-concurrent",
       "postgres",
       "ALTER TABLE users ADD UNIQUE (email, org_id);",
       "UNIQUE",
       0,
       {},
       "",
       "builds its index users_email_org_id_key"},
      {"index-not-concurrent",
       "postgres",
       "ALTER TABLE archive.users ADD PRIMARY KEY (id);",
       "PRIMARY",
       0,
       {},
       "",
       "archive.users builds its index users_pkey"},
      {"index-not-concurrent", "postgres",
       "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) USING INDEX TABLESPACE fast;", "UNIQUE"},
      {"index-not-concurrent", "postgres", "REINDEX TABLE users;", "REINDEX", 0, {}, "", "REINDEX TABLE users"},
      {"index-not-concurrent",
       "postgres",
       "REINDEX INDEX public.users_email;",
       "REINDEX",
       0,
       {},
       "",
       "REINDEX INDEX users_email"},
      {"index-not-concurrent", "postgres", "REINDEX (CONCURRENTLY false) TABLE users;", "REINDEX"},
      {"index-not-concurrent", "postgres", "CREATE TABLE archive.users (id int);\nCREATE INDEX i ON users (id);",
       "INDEX"},
      {"index-not-concurrent", "postgres",
       "CREATE TABLE archive.t2 (id int);\nCREATE INDEX i2 ON archive.t2 (id);\nDROP INDEX i2;", "INDEX", 1},
      // concurrent-in-transaction
      {"concurrent-in-transaction", "postgres", "CREATE INDEX CONCURRENTLY users_email ON users (email);",
       "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "DROP INDEX CONCURRENTLY IF EXISTS users_email;", "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "REINDEX INDEX CONCURRENTLY users_email;", "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "REINDEX (CONCURRENTLY) TABLE users;", "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "REINDEX TABLE CONCURRENTLY users;", "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "REINDEX (VERBOSE, CONCURRENTLY true) INDEX users_email;",
       "CONCURRENTLY"},
      {"concurrent-in-transaction", "postgres", "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;",
       "CONCURRENTLY"},
      // constraint-without-not-valid
      {"constraint-without-not-valid", "postgres",
       "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", "FOREIGN"},
      {"constraint-without-not-valid", "postgres", "ALTER TABLE orders ADD CHECK (total >= 0);", "CHECK"},
      // missing-lock-timeout
      {"missing-lock-timeout", "postgres", "ALTER TABLE users ADD COLUMN note text;", "ALTER"},
      {"missing-lock-timeout", "postgres", "SET lock_timeout = '10s';\nALTER TABLE users ADD COLUMN note text;",
       "ALTER"},
      {"missing-lock-timeout", "postgres", "SET LOCAL lock_timeout = '2s';\nDROP TABLE users;", "DROP", 0,
       kNoTransaction},
      {"missing-lock-timeout", "postgres", "SET lock_timeout = '1s';\nRESET lock_timeout;\nTRUNCATE users;",
       "TRUNCATE"},
      // change-column-type
      {"change-column-type", "postgres", "ALTER TABLE users ALTER COLUMN age TYPE bigint;", "TYPE"},
      {"change-column-type", "postgres", "ALTER TABLE users ALTER age SET DATA TYPE bigint USING age::bigint;", "TYPE"},
      {"change-column-type", "mysql", "ALTER TABLE users MODIFY COLUMN age bigint NOT NULL, ALGORITHM=INPLACE;",
       "MODIFY"},
      {"change-column-type", "mysql", "ALTER TABLE users CHANGE age age bigint;", "CHANGE"},
      // rename-column
      {"rename-column", "postgres,mysql,sqlite", "ALTER TABLE users RENAME COLUMN name TO full_name;", "RENAME"},
      {"rename-column", "postgres", "ALTER TABLE users RENAME name TO full_name;", "RENAME"},
      {"rename-column", "mysql", "ALTER TABLE users CHANGE name full_name varchar(100), ALGORITHM=INPLACE;", "CHANGE"},
      // rename-table
      {"rename-table", "postgres,mysql,sqlite", "ALTER TABLE users RENAME TO customers;", "RENAME"},
      {"rename-table", "mysql", "RENAME TABLE users TO customers;", "RENAME"},
      {"rename-table", "mysql", "ALTER TABLE users RENAME AS customers;", "RENAME"},
      // drop-column
      {"drop-column", "postgres,mysql,sqlite", "ALTER TABLE users DROP COLUMN legacy;", "DROP"},
      {"drop-column", "postgres,mysql", "ALTER TABLE users DROP legacy;", "DROP"},
      {"drop-column", "postgres,mysql,sqlite", "ALTER TABLE users /* why */ DROP -- now\n  COLUMN legacy;", "DROP"},
      {"drop-column", "postgres", "ALTER TABLE users ADD COLUMN a int, DROP COLUMN IF EXISTS legacy;", "DROP"},
      // drop-table
      {"drop-table", "postgres,mysql,sqlite", "DROP TABLE users;", "DROP"},
      {"drop-table", "postgres,mysql,sqlite", "CREATE TABLE scratch (id int);\nDROP TABLE IF EXISTS scratch, users;",
       "DROP"},
      // mixed-ddl-dml
      // the usual archive-then-drop: archive.users is another table than users
      {"drop-table", "postgres", "CREATE TABLE archive.users (LIKE users);\nDROP TABLE public.users;", "DROP"},
      {"drop-table", "mysql", "CREATE TABLE archive.users LIKE users;\nDROP TABLE users;", "DROP"},
      {"drop-table", "sqlite", "CREATE TABLE archive.users AS SELECT * FROM users;\nDROP TABLE main.users;", "DROP"},
      {"drop-table", "postgres,mysql,sqlite", "CREATE TABLE archive.users (id int);\nDROP TABLE users;", "DROP"},
      {"drop-table", "mysql", "CREATE TABLE t2 (id int);\nDROP TABLE app.t2;", "DROP"},
      // PostgreSQL and SQLite keep a renamed table in its schema: t3 here is archive.t3
      {"drop-table", "postgres,sqlite",
       "CREATE TABLE archive.t2 (a int);\nALTER TABLE archive.t2 RENAME TO t3;\nDROP TABLE t3;", "DROP"},
      {"mixed-ddl-dml", "postgres,mysql,sqlite",
       "ALTER TABLE users ADD COLUMN role text;\nUPDATE users SET role = 'member' WHERE role IS NULL;", "UPDATE"},
      {"mixed-ddl-dml", "postgres,mysql,sqlite", "INSERT INTO audit (note) VALUES ('x');\nDROP TABLE old_audit;",
       "INSERT"},
      {"mixed-ddl-dml", "postgres,sqlite",
       "ALTER TABLE users ADD COLUMN role text;\nWITH u AS (SELECT id FROM users) DELETE FROM sessions WHERE id IN "
       "(SELECT id FROM u);",
       "DELETE"},
      {"mixed-ddl-dml",
       "mysql",
       "CREATE TABLE roles (id int);\nINSERT INTO roles VALUES (1);",
       "INSERT",
       0,
       {},
       "",
       "the database commits the schema change at once"},
      {"mixed-ddl-dml", "postgres", "CREATE TABLE roles (id int);\nINSERT INTO roles VALUES (1);", "INSERT", 0,
       kNoTransaction, "", "running without a transaction"},
      {"mixed-ddl-dml", "mysql",
       "ALTER TABLE users ADD COLUMN role text, ALGORITHM=INSTANT;\nREPLACE INTO roles VALUES (1);", "REPLACE"},
      {"mixed-ddl-dml", "postgres",
       "ALTER TABLE users ADD COLUMN role text;\nWITH d AS (DELETE FROM sessions WHERE id < 10 RETURNING id) SELECT "
       "count(*) FROM d;",
       "DELETE"},
      // unbatched-write
      {"unbatched-write", "postgres,mysql,sqlite", "UPDATE users SET active = true;", "UPDATE"},
      {"unbatched-write", "postgres,mysql,sqlite", "DELETE FROM sessions;", "DELETE"},
      {"unbatched-write", "postgres,mysql,sqlite", "DELETE FROM sessions WHERE 1 = 1;", "DELETE"},
      {"unbatched-write", "postgres,mysql,sqlite",
       "UPDATE users SET score = (SELECT max(score) FROM scores WHERE scores.user_id = 1);", "UPDATE"},
      {"unbatched-write", "postgres,sqlite", "WITH x AS (SELECT 1) UPDATE users SET a = 1;", "UPDATE"},
      {"unbatched-write", "postgres,mysql,sqlite", "WITH x AS (SELECT 1) DELETE FROM sessions;", "DELETE"},
      {"unbatched-write", "postgres", "WITH d AS (DELETE FROM sessions RETURNING *) SELECT count(*) FROM d;", "DELETE"},
      {"unbatched-write", "postgres",
       "WITH u AS (UPDATE users SET a = 1 RETURNING id), v AS (SELECT id FROM orders WHERE total > 0) SELECT * FROM u;",
       "UPDATE"},
      {"unbatched-write",
       "postgres",
       "WITH d AS MATERIALIZED (DELETE FROM public.sessions WHERE true RETURNING id) INSERT INTO gone SELECT id FROM "
       "d;",
       "DELETE",
       0,
       {},
       "",
       "DELETE FROM sessions with an always-true WHERE"},
      {"unbatched-write", "sqlite", "UPDATE OR IGNORE users SET a = 1;", "UPDATE"},
      // missing-down
      {"missing-down", "postgres,mysql,sqlite", "SELECT 1;", "SELECT", 0, tide::test::without_down()},
      // alter-without-algorithm
      {"alter-without-algorithm", "mysql", "ALTER TABLE users ADD COLUMN note text;", "ALTER"},
      {"alter-without-algorithm", "mysql", "ALTER TABLE users ADD INDEX users_email (email), ALGORITHM=COPY;", "ALTER"},
      {"alter-without-algorithm",
       "mysql",
       "CREATE INDEX users_email ON users (email);",
       "CREATE",
       0,
       {},
       "",
       "CREATE INDEX on users without ALGORITHM=INPLACE"},
      {"alter-without-algorithm", "mysql", "CREATE UNIQUE INDEX users_email ON users (email) ALGORITHM=COPY;",
       "CREATE"},
      {"alter-without-algorithm", "mysql", "DROP INDEX users_email ON users;", "DROP"},
      {"not-null-without-default", "mysql",
       "ALTER TABLE users ADD (note text, role varchar(20) NOT NULL), ALGORITHM=INSTANT;", "NOT"},
      // unknown-lint-ignore
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "-- tide:lint-ignore drop-colum\nSELECT 1;", "--"},
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "SELECT /* tide:lint-ignore */ 1;", "/*"},
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "SELECT 1;", "SELECT", 0, tide::test::ignoring({"drop-tabel"})},
      // incomplete-plan: reported at the statement the plan stopped at (the read)
      {"incomplete-plan", "postgres,mysql,sqlite", "CREATE TABLE a (id int);\nSELECT count(*) FROM a;", "SELECT",
       0, tide::test::stopped_at_read()},
  };
}

// Look-alikes: the words of the firing cases where they are not SQL to run.
const char *const kPostgresDecoys = R"sql(
-- ALTER TABLE users ADD COLUMN x int NOT NULL; DROP TABLE users; CREATE INDEX i ON users (x);
/* UPDATE users SET a = 1; DELETE FROM users; ALTER TABLE users RENAME TO x;
   /* nested: ALTER TABLE users DROP COLUMN a; */ still a comment: RENAME TABLE a TO b; */
SELECT 'ALTER TABLE users ALTER COLUMN a TYPE bigint; DROP TABLE users' AS s, "DROP TABLE users" FROM t WHERE id = 1;
SELECT E'it\'s ALTER TABLE users ADD CHECK (a > 0)' WHERE true;
CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ALTER TABLE users ADD COLUMN x int NOT NULL;
  CREATE INDEX i ON users (x);
  UPDATE users SET a = 1;
  DELETE FROM users;
  DROP TABLE users;
END;
$body$ not the end $body$
$$;
DO $tag$ BEGIN EXECUTE 'ALTER TABLE users RENAME COLUMN a TO b'; END $tag$;
)sql";

const char *const kMysqlDecoys = R"sql(
# ALTER TABLE users ADD COLUMN x int NOT NULL; DROP TABLE users;
-- UPDATE users SET a = 1; DELETE FROM users; RENAME TABLE users TO x;
/* ALTER TABLE users MODIFY a bigint; ALTER TABLE users DROP COLUMN a; */
SELECT 'DROP TABLE users', "DELETE FROM users", `ALTER TABLE users RENAME TO x` FROM t WHERE id = 1;
SELECT 'it\'s DROP TABLE users' FROM t WHERE id = 1;
CREATE PROCEDURE p()
BEGIN
  ALTER TABLE users ADD COLUMN x int NOT NULL;
  UPDATE users SET a = 1;
  DELETE FROM users;
  DROP TABLE users;
  RENAME TABLE users TO customers;
END;
DELIMITER //
CREATE TRIGGER t BEFORE INSERT ON logs FOR EACH ROW
BEGIN
  DELETE FROM users;
  UPDATE users SET a = 1;
END//
DELIMITER ;
)sql";

const char *const kSqliteDecoys = R"sql(
-- ALTER TABLE users ADD COLUMN x int NOT NULL; DROP TABLE users;
/* UPDATE users SET a = 1; DELETE FROM users; ALTER TABLE users RENAME TO x; */
SELECT 'DROP TABLE users', "ALTER TABLE users DROP COLUMN a", [DELETE FROM users], `UPDATE users SET a = 1` FROM t WHERE id = 1;
CREATE TRIGGER logs_ai AFTER INSERT ON logs
BEGIN
  DELETE FROM users;
  UPDATE users SET a = 1;
  INSERT INTO audit VALUES (1);
END;
)sql";

std::vector<Quiet> quiet_cases() {
  return {
      // not-null-without-default: the safe rewrites and look-alikes
      {"not-null-without-default", "postgres,mysql,sqlite",
       "ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'member';"},
      {"not-null-without-default", "postgres,mysql,sqlite", "ALTER TABLE users ADD COLUMN role text;"},
      {"not-null-without-default", "postgres,mysql,sqlite",
       "ALTER TABLE users ADD COLUMN c text CHECK (c IS NOT NULL);"},
      {"not-null-without-default", "postgres,mysql,sqlite", "ALTER TABLE users ADD COLUMN \"NOT NULL\" text;"},
      // SQLite accepts it on an empty table, as PostgreSQL does: a new table is empty.
      {"not-null-without-default", "postgres,mysql,sqlite",
       "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD COLUMN x int NOT NULL;"},
      {"not-null-without-default", "postgres",
       "ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL;"},
      {"not-null-without-default", "postgres", "ALTER TABLE users ADD COLUMN n bigserial NOT NULL;"},
      {"not-null-without-default", "mysql",
       "ALTER TABLE users ADD COLUMN n bigint NOT NULL AUTO_INCREMENT, ALGORITHM=INPLACE;"},
      {"not-null-without-default", "postgres", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;"},
      {"not-null-without-default", "postgres",
       "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;"},
      // add-column-default-rewrite
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT now();"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN created timestamptz DEFAULT CURRENT_TIMESTAMP;"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN role text DEFAULT 'member';"},
      {"add-column-default-rewrite",
       "postgres",
       "ALTER TABLE users ADD COLUMN role text DEFAULT 'member';",
       {},
       "15.4"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN role text DEFAULT NULL;", {}, "10.23"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN code varchar(10) DEFAULT 'x'::varchar(10);"},
      // type names before "(" are no function calls
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN c varchar(10) DEFAULT 'x'::character varying(10);"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN c varchar(10) DEFAULT CAST('x' AS character varying(10));"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN b bit varying(3) DEFAULT B'101'::bit varying(3);"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN c national character varying(5) DEFAULT 'x'::national character varying(5);"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN d double precision DEFAULT CAST(1.5 AS double precision);"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN t timestamp(3) with time zone DEFAULT '2020-01-01'::timestamp(3) with time zone;"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN m money DEFAULT CAST(0 AS numeric(10, 2));"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN v code DEFAULT code(3) '101';"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ADD COLUMN note text DEFAULT 'random()';"},
      {"add-column-default-rewrite", "postgres",
       "ALTER TABLE users ADD COLUMN meta jsonb DEFAULT jsonb_build_object('a', 1);"},
      {"add-column-default-rewrite", "postgres",
       "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD COLUMN token uuid DEFAULT gen_random_uuid();"},
      {"add-column-default-rewrite", "postgres", "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();"},
      // index-not-concurrent
      {"index-not-concurrent", "postgres", "CREATE INDEX CONCURRENTLY users_email ON users (email);", kNoTransaction},
      {"index-not-concurrent", "postgres", "DROP INDEX CONCURRENTLY users_email;", kNoTransaction},
      {"index-not-concurrent", "postgres",
       "CREATE TABLE t2 (id int, email text);\nCREATE INDEX t2_email ON t2 (email);\nDROP INDEX t2_email;"},
      {"index-not-concurrent", "postgres",
       "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email;"},
      {"index-not-concurrent", "postgres", "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD PRIMARY KEY (id);"},
      {"index-not-concurrent", "postgres", "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD COLUMN x text UNIQUE;"},
      {"index-not-concurrent", "postgres", "ALTER TABLE users ADD COLUMN \"unique\" text CHECK (x <> 'UNIQUE');"},
      {"index-not-concurrent", "postgres",
       "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;"},
      {"index-not-concurrent", "postgres", "REINDEX TABLE CONCURRENTLY users;", kNoTransaction},
      {"index-not-concurrent", "postgres", "REINDEX (CONCURRENTLY) INDEX users_email;", kNoTransaction},
      {"index-not-concurrent", "postgres", "CREATE TABLE t2 (id int);\nREINDEX TABLE public.t2;"},
      {"index-not-concurrent", "postgres", "REINDEX TABLE users;", {}, "11.9"},
      {"index-not-concurrent", "postgres", "REINDEX SYSTEM;"},
      {"index-not-concurrent", "postgres",
       "CREATE TABLE t2 (id int);\nCREATE INDEX i ON public.t2 (id);\nDROP INDEX public.i;"},
      {"index-not-concurrent", "postgres",
       "CREATE TABLE archive.t2 (id int);\nCREATE INDEX i2 ON archive.t2 (id);\nDROP INDEX archive.i2;"},
      // concurrent-in-transaction
      {"concurrent-in-transaction", "postgres", "CREATE INDEX CONCURRENTLY users_email ON users (email);",
       kNoTransaction},
      {"concurrent-in-transaction", "postgres", "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;"},
      {"concurrent-in-transaction", "postgres", "REINDEX (CONCURRENTLY) TABLE users;", kNoTransaction},
      {"concurrent-in-transaction", "postgres", "REINDEX (CONCURRENTLY false, VERBOSE) TABLE users;"},
      {"concurrent-in-transaction", "postgres", "SELECT 'CREATE INDEX CONCURRENTLY i ON t (x)';"},
      // constraint-without-not-valid
      {"constraint-without-not-valid", "postgres",
       "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"},
      {"constraint-without-not-valid", "postgres", "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"},
      {"constraint-without-not-valid", "postgres",
       "CREATE TABLE items (id int, order_id int);\nALTER TABLE items ADD FOREIGN KEY (order_id) REFERENCES orders "
       "(id);"},
      {"constraint-without-not-valid", "postgres", "ALTER TABLE orders ADD CHECK (total >= 0) NOT VALID;"},
      // missing-lock-timeout
      {"missing-lock-timeout", "postgres", "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;"},
      {"missing-lock-timeout", "postgres", "SET LOCAL lock_timeout TO 2000;\nALTER TABLE users ADD COLUMN note text;"},
      {"missing-lock-timeout", "postgres", "SELECT set_config('lock_timeout', '1s', false);\nDROP TABLE users;"},
      {"missing-lock-timeout", "postgres", "CREATE TABLE t2 (id int);\nALTER TABLE t2 ADD COLUMN x int;"},
      {"missing-lock-timeout", "postgres", "CREATE INDEX CONCURRENTLY users_email ON users (email);", kNoTransaction},
      {"missing-lock-timeout", "postgres", "UPDATE users SET a = 1 WHERE id < 100;"},
      // change-column-type
      {"change-column-type", "postgres", "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;"},
      {"change-column-type", "postgres,mysql", "CREATE TABLE t2 (age int);\nALTER TABLE t2 MODIFY age bigint;"},
      {"change-column-type", "postgres", "CREATE TABLE t2 (age int);\nALTER TABLE t2 ALTER COLUMN age TYPE bigint;"},
      {"change-column-type", "mysql", "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0, ALGORITHM=INSTANT;"},
      // rename-column / rename-table
      {"rename-column", "postgres", "ALTER TABLE users RENAME CONSTRAINT a TO b;"},
      {"rename-column", "mysql", "ALTER TABLE users RENAME INDEX a TO b;"},
      {"rename-column", "postgres,mysql,sqlite", "CREATE TABLE t2 (a int);\nALTER TABLE t2 RENAME COLUMN a TO b;"},
      {"rename-table", "postgres,mysql,sqlite",
       "CREATE TABLE t2 (a int);\nALTER TABLE t2 RENAME TO t3;\nDROP TABLE t3;"},
      {"rename-table", "mysql", "CREATE TABLE t2 (a int);\nRENAME TABLE t2 TO t3;"},
      {"rename-table", "postgres", "ALTER INDEX users_email RENAME TO users_email_idx;"},
      {"rename-table", "postgres,mysql,sqlite", "ALTER TABLE users RENAME COLUMN a TO b;"},
      // drop-column / drop-table
      {"drop-column", "postgres,mysql", "ALTER TABLE users DROP CONSTRAINT users_email_key;"},
      {"drop-column", "mysql", "ALTER TABLE users DROP INDEX users_email, DROP FOREIGN KEY fk, DROP PRIMARY KEY;"},
      {"drop-column", "postgres,mysql,sqlite", "CREATE TABLE t2 (a int, b int);\nALTER TABLE t2 DROP COLUMN b;"},
      {"drop-column", "postgres", "ALTER TABLE users ALTER COLUMN a DROP DEFAULT;"},
      {"drop-table", "postgres,mysql,sqlite", "CREATE TABLE t2 (a int);\nDROP TABLE t2;"},
      {"drop-table", "postgres,mysql,sqlite", "DROP VIEW users_v;"},
      {"drop-table", "postgres", "CREATE TABLE t2 (a int);\nDROP TABLE public.t2;"},
      {"drop-table", "postgres", "CREATE TABLE \"public\".t2 (a int);\nDROP TABLE t2;"},
      {"drop-table", "sqlite", "CREATE TABLE t2 (a int);\nDROP TABLE main.t2;"},
      {"drop-table", "postgres,mysql,sqlite", "CREATE TABLE archive.t2 (a int);\nDROP TABLE archive.t2;"},
      {"drop-table", "postgres,sqlite",
       "CREATE TABLE archive.t2 (a int);\nALTER TABLE archive.t2 RENAME TO t3;\nDROP TABLE archive.t3;"},
      {"drop-table", "mysql", "CREATE TABLE app.t2 (a int);\nRENAME TABLE app.t2 TO app.t3;\nDROP TABLE app.t3;"},
      // mixed-ddl-dml
      {"mixed-ddl-dml", "postgres,sqlite", "CREATE TABLE roles (id int);\nINSERT INTO roles VALUES (1);"},
      {"mixed-ddl-dml", "postgres,mysql,sqlite", "UPDATE users SET a = 1 WHERE id = 1;\nINSERT INTO audit VALUES (1);"},
      {"mixed-ddl-dml", "postgres",
       "ALTER TABLE users ADD COLUMN x int;\nCREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ INSERT INTO users "
       "DEFAULT VALUES $$;"},
      {"mixed-ddl-dml", "mysql",
       "ALTER TABLE users ADD COLUMN x int, ALGORITHM=INSTANT;\nCREATE PROCEDURE p() BEGIN INSERT INTO users VALUES "
       "(1); END;"},
      {"mixed-ddl-dml", "postgres,mysql,sqlite", "ALTER TABLE users ADD COLUMN x int;\nSELECT count(*) FROM users;"},
      {"mixed-ddl-dml", "mysql",
       "ALTER TABLE users ADD COLUMN x int, ALGORITHM=INSTANT;\nWITH t AS (SELECT 1 AS n) SELECT replace('a', 'b', "
       "'c') "
       "FROM t;"},
      // unbatched-write
      {"unbatched-write", "postgres,mysql,sqlite", "UPDATE users SET active = true WHERE id BETWEEN 1 AND 1000;"},
      {"unbatched-write", "postgres,mysql,sqlite", "DELETE FROM sessions WHERE expires_at < now();"},
      {"unbatched-write", "mysql", "DELETE FROM sessions LIMIT 1000;"},
      {"unbatched-write", "postgres,mysql,sqlite",
       "CREATE TABLE t2 (a int);\nINSERT INTO t2 VALUES (1);\nUPDATE t2 SET a = 2;"},
      {"unbatched-write", "postgres,mysql,sqlite", "INSERT INTO users (a) SELECT a FROM old_users;"},
      {"unbatched-write", "postgres",
       "WITH d AS (DELETE FROM sessions WHERE expires_at < now() RETURNING *) SELECT count(*) FROM d;"},
      {"unbatched-write", "postgres",
       "WITH d AS (INSERT INTO users (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET a = 1 RETURNING id) SELECT 1;"},
      {"unbatched-write", "postgres", "CREATE TABLE t2 (a int);\nWITH d AS (DELETE FROM t2 RETURNING *) SELECT 1;"},
      {"unbatched-write", "postgres,mysql,sqlite", "WITH x AS (SELECT 1) DELETE FROM sessions WHERE id < 1000;"},
      // incomplete-plan: a plan that did not stop
      {"incomplete-plan", "postgres,mysql,sqlite", "CREATE TABLE a (id int);\nSELECT count(*) FROM a;"},
      // missing-down
      {"missing-down", "postgres,mysql,sqlite", "SELECT 1;", tide::test::without_down(true)},
      {"missing-down", "postgres,mysql,sqlite", "SELECT 1;", PlanOptions{}},
      // alter-without-algorithm
      {"alter-without-algorithm", "mysql", "ALTER TABLE users ADD COLUMN note text, ALGORITHM=INSTANT;"},
      {"alter-without-algorithm", "mysql", "ALTER TABLE users ALGORITHM = INPLACE, LOCK = NONE, ADD INDEX i (email);"},
      {"alter-without-algorithm", "mysql", "CREATE TABLE t2 (a int);\nALTER TABLE t2 ADD COLUMN b int;"},
      {"alter-without-algorithm", "mysql", "ALTER TABLE users RENAME TO customers;"},
      {"alter-without-algorithm", "postgres,sqlite", "ALTER TABLE users ADD COLUMN note text;"},
      {"alter-without-algorithm", "mysql", "CREATE INDEX users_email ON users (email) ALGORITHM=INPLACE LOCK=NONE;"},
      {"alter-without-algorithm", "mysql",
       "CREATE INDEX users_email ON users (email) LOCK = NONE ALGORITHM = INPLACE;"},
      {"alter-without-algorithm", "mysql", "DROP INDEX users_email ON users ALGORITHM=INPLACE;"},
      {"alter-without-algorithm", "mysql",
       "CREATE TABLE t2 (a int);\nCREATE INDEX t2_a ON t2 (a);\nDROP INDEX t2_a ON t2;"},
      {"alter-without-algorithm", "postgres,sqlite", "CREATE INDEX users_email ON users (email);"},
      {"not-null-without-default", "mysql",
       "ALTER TABLE users ADD COLUMN (note text, role varchar(20) NOT NULL DEFAULT 'member'), ALGORITHM=INSTANT;"},
      // unknown-lint-ignore
      {"unknown-lint-ignore", "postgres,mysql,sqlite",
       "-- tide:lint-ignore drop-table, rename-table\nDROP TABLE users;"},
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "-- tide:lint-ignore all\nDROP TABLE users;"},
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "-- not tide:lint-ignoreable\nSELECT 1;"},
      {"unknown-lint-ignore", "postgres,mysql,sqlite", "SELECT 1;", tide::test::ignoring({"all"})},
  };
}

std::string describe(const std::vector<Finding> &findings) {
  std::string out;
  for (const auto &f : findings)
    out +=
        f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " + f.rule + " " + f.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("lint: every rule fires where it must, at the token that fired it", "[lint]") {
  std::set<std::string> covered;
  for (const Fire &c : firing_cases()) {
    for (const std::string &dialect : split_list(c.dialects)) {
      LintRig rig(dialect);
      rig.target.server_version = c.server_version;
      const auto all = rig.check(c.sql, c.options);
      const auto hits = of_rule(all, c.rule);
      INFO(dialect << ": " << c.sql << "\n" << describe(all));
      REQUIRE(hits.size() == 1);
      const auto [line, column] = position_of(c.sql, c.marker, c.nth);
      CHECK(hits[0].line == line);
      CHECK(hits[0].column == column);
      CHECK(hits[0].file == "migrations/1_x.sql");
      CHECK_FALSE(hits[0].fix.empty());
      CHECK(hits[0].message.find(c.message_part) != std::string::npos);
      covered.insert(c.rule);
    }
  }
  std::set<std::string> all_rules;
  for (const auto &r : tide::lint::rules()) all_rules.insert(std::string(r.id));
  CHECK(covered == all_rules);
}

TEST_CASE("lint: every rule fires on every dialect it lists", "[lint]") {
  for (const auto &r : tide::lint::rules()) {
    std::set<std::string> listed, fired;
    for (const std::string &d : split_list(std::string(r.dialects).c_str())) listed.insert(d);
    for (const Fire &c : firing_cases())
      if (c.rule == r.id)
        for (const std::string &d : split_list(c.dialects)) fired.insert(d);
    INFO(r.id);
    CHECK(fired == listed);
  }
}

TEST_CASE("lint: the safe rewrites and look-alikes do not fire", "[lint]") {
  for (const Quiet &c : quiet_cases()) {
    for (const std::string &dialect : split_list(c.dialects)) {
      LintRig rig(dialect);
      rig.target.server_version = c.server_version;
      const auto all = rig.check(c.sql, c.options);
      INFO(dialect << ": " << c.sql << "\n" << describe(all));
      CHECK(of_rule(all, c.rule).empty());
    }
  }
}

TEST_CASE("lint: comments, strings, quoted names and bodies never fire a rule", "[lint]") {
  for (const auto &[dialect, sql] :
       {std::pair{"postgres", kPostgresDecoys}, std::pair{"mysql", kMysqlDecoys}, std::pair{"sqlite", kSqliteDecoys}}) {
    LintRig rig(dialect);
    const auto all = rig.check(sql);
    INFO(dialect << "\n" << describe(all));
    CHECK(all.empty());
  }
}

TEST_CASE("lint: a rule of another dialect does not run", "[lint]") {
  LintRig sqlite("sqlite");
  CHECK(
      sqlite.check("CREATE INDEX i ON users (email);\nALTER TABLE users ADD COLUMN t uuid DEFAULT random();").empty());
  LintRig mysql("mysql");
  CHECK(of_rule(mysql.check("ALTER TABLE orders ADD FOREIGN KEY (u) REFERENCES users (id), ALGORITHM=INPLACE;"),
                "constraint-without-not-valid")
            .empty());
}

TEST_CASE("lint: the concurrency rules follow the driver's capability", "[lint]") {
  LintRig rig("postgres");
  rig.target.capabilities &= ~static_cast<uint32_t>(TIDE_CAP_CONCURRENT_INDEX);
  const auto all = rig.check("CREATE INDEX i ON users (email);\nCREATE INDEX CONCURRENTLY j ON users (name);");
  CHECK(of_rule(all, "index-not-concurrent").empty());
  CHECK(of_rule(all, "concurrent-in-transaction").empty());
}

TEST_CASE("lint: every prefix of every case is read without harm", "[lint]") {
  // Cut statements (an editor's unsaved file, a splitter's unterminated last piece) must
  // give findings with real positions, never a crash or a read past the tokens.
  for (const char *dialect : {"postgres", "mysql", "sqlite"}) {
    LintRig rig(dialect);
    std::vector<std::string> texts;
    for (const Fire &c : firing_cases()) texts.push_back(c.sql);
    for (const Quiet &c : quiet_cases()) texts.push_back(c.sql);
    for (const std::string &sql : texts)
      for (size_t n = 1; n <= sql.size(); ++n)
        for (const Finding &f : rig.check(sql.substr(0, n))) {
          INFO(dialect << ": " << sql.substr(0, n));
          REQUIRE(tide::lint::find_rule(f.rule) != nullptr);
          REQUIRE(f.line >= 1);
          REQUIRE(f.column >= 1);
        }
  }
}

TEST_CASE("lint: the implicit index of a constraint is named as PostgreSQL names it", "[lint]") {
  using tide::lint::implicit_index_name;
  CHECK(implicit_index_name("users", "email", "key") == "users_email_key");
  CHECK(implicit_index_name("archive.users", "", "pkey") == "users_pkey");
  // Cut to 63 bytes, the longer part first: 29 + 1 + 29 + 4, then 56 + 1 + 2 + 4.
  CHECK(implicit_index_name(std::string(40, 'a'), std::string(40, 'b'), "key") ==
        std::string(29, 'a') + "_" + std::string(29, 'b') + "_key");
  CHECK(implicit_index_name(std::string(70, 'a'), "id", "key") == std::string(56, 'a') + "_id_key");
}
