#!/usr/bin/env bash
# SQL migrations on MariaDB as real projects write them: DELIMITER blocks, stored
# programs without DELIMITER (golang-migrate style), IF ... END IF, PREPARE from a
# string holding ';', backticks, # and "-- " comments, backslash escapes, comment-only
# files; and a statement the server rejects inside a procedure body.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/mysql_lib.sh"

test_delimiter_blocks() {
  mysql_project
  write migrations/001_proc.sql <<'EOF'
-- tide:up
CREATE TABLE `order` (id INT PRIMARY KEY, total INT);

DELIMITER //
CREATE PROCEDURE add_order(IN n INT)
BEGIN
  INSERT INTO `order` VALUES (n, n * 10);
  IF n > 1 THEN
    UPDATE `order` SET total = total + 1 WHERE id = n;
  END IF;
END//
DELIMITER ;

CALL add_order(1);
CALL add_order(2);
-- tide:down
DROP PROCEDURE add_order;
DROP TABLE `order`;
EOF
  tide up
  expect_exit 0
  expect_mq "SELECT GROUP_CONCAT(total ORDER BY id) FROM \`order\`" "10,21"
  tide down
  expect_exit 0
  expect_mq "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = '$MY_DB'" 0
}

# As golang-migrate users write them: no DELIMITER, the client sends the file whole.
test_stored_programs_without_delimiter() {
  mysql_project
  write migrations/001_programs.sql <<'EOF'
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));
CREATE TABLE items (id INT PRIMARY KEY, qty INT);

CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW
BEGIN
  IF NEW.qty > 100 THEN
    INSERT INTO audit (msg) VALUES (CONCAT('big order: ', NEW.id));
  ELSE
    INSERT INTO audit (msg) VALUES ('small;order');
  END IF;
END;

CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC
BEGIN
  DECLARE y INT DEFAULT 0;
  SET y = CASE WHEN x > 0 THEN x * 2 ELSE 0 END;
  RETURN y;
END;

INSERT INTO items VALUES (1, 500), (2, double_it(3));
EOF
  tide up
  expect_exit 0
  expect_mq "SELECT GROUP_CONCAT(msg ORDER BY id SEPARATOR '|') FROM audit" "big order: 1|small;order"
  expect_mq "SELECT qty FROM items WHERE id = 2" 6
}

test_prepare_from_a_string_with_a_semicolon() {
  mysql_project
  write migrations/001_t.sql <<'EOF'
CREATE TABLE t (a INT);
EOF
  write migrations/002_conditional_column.sql <<'EOF'
# Add the column only when it is missing (MySQL has no ADD COLUMN IF NOT EXISTS).
SET @s = (SELECT IF(
  (SELECT COUNT(*) FROM information_schema.columns
   WHERE table_schema = DATABASE() AND table_name = 't' AND column_name = 'c') = 0,
  'ALTER TABLE t ADD COLUMN c VARCHAR(20) DEFAULT \'it\\\'s; here\';',
  'SELECT 1'));
PREPARE stmt FROM @s;
EXECUTE stmt;
DEALLOCATE PREPARE stmt;
INSERT INTO t (a) VALUES (1); -- trailing comment; with a semicolon
EOF
  tide up
  expect_exit 0
  expect_mq "SELECT c FROM t" "it's; here"
}

test_comments_quotes_and_escapes() {
  mysql_project
  write migrations/001_odd.sql <<'EOF'
-- tide:up
# hash comment; with a semicolon
CREATE TABLE `we;ird``name` (`col;1` VARCHAR(50), b VARCHAR(50)); -- dash comment; too
/* a block; comment */
INSERT INTO `we;ird``name` VALUES ('a\'b;c', "d\"e;f");
INSERT INTO `we;ird``name` VALUES ('back\\slash', 'x');
EOF
  write migrations/002_only_comments.sql <<'EOF'
-- tide:up
-- nothing to do yet; this file is all comments
# and a hash comment
EOF
  tide up
  expect_exit 5
  expect_stderr_contains "002_only_comments.sql: the up section has no SQL statements"
  expect_no_table_mysql "we;ird\`name"
  rm migrations/002_only_comments.sql
  tide up
  expect_exit 0
  expect_mq "SELECT CONCAT(\`col;1\`, '|', b) FROM \`we;ird\`\`name\` ORDER BY b" "a'b;c|d\"e;f
back\\\\slash|x"
}

expect_no_table_mysql() {
  expect_mq "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$MY_DB' AND table_name = '$1'" 0
}

test_statement_rejected_inside_a_procedure_body() {
  mysql_project
  write migrations/001_bad_proc.sql <<'EOF'
CREATE TABLE t (id INT);

CREATE PROCEDURE p()
BEGIN
  INSERT INTO t VALUES (1);
  SELEC 2;
END;
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_bad_proc.sql:6:"
  expect_stderr_contains "statement 2: CREATE PROCEDURE p()"
  expect_stderr_contains "You have an error in your SQL syntax"
  expect_stderr_contains "SQLSTATE 42000"
  expect_history 001 dirty
}

run_tests
