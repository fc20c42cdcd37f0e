// `tide dump` for SQLite: the CREATE statements SQLite keeps in sqlite_master, as written
// (SQLite stores each object's original SQL), so the dump reads like the migrations that
// made the schema. The tide history table is an ordinary table here and is included, as
// Rails' structure.sql and dbmate's schema.sql include their migrations tables.

#include "dump.h"

#include <sqlite3.h>

#include <string>

#include "connection.h"

namespace tide_sqlite {
namespace {

// Tables first (indexes, views and triggers refer to them), then indexes, views and
// triggers; within a group, rowid order is creation order. Names starting with sqlite_
// are SQLite's own (sqlite_sequence, sqlite_stat1); automatic indexes have no SQL.
constexpr const char *kSchemaQuery =
    "SELECT sql FROM sqlite_master "
    "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' {shadow}"
    "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 "
    "WHEN 'trigger' THEN 3 ELSE 4 END, rowid";

// Shadow tables (an FTS5 table's x_data, ...) are created by their virtual table;
// PRAGMA table_list names them since SQLite 3.37.
constexpr const char *kNotShadow =
    "AND name NOT IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow') ";

std::string schema_query() {
  std::string sql = kSchemaQuery;
  std::string shadow = sqlite3_libversion_number() >= 3037000 ? kNotShadow : "";
  return sql.replace(sql.find("{shadow}"), 8, shadow);
}

}  // namespace

int dump_schema(tide_conn &conn, tide_write_fn fn, void *user) {
  if (!fn) return conn.fail(TIDE_EMISUSE, "dump: fn is NULL");
  if (int rc = conn.require_idle("dump"); rc != TIDE_OK) return rc;
  sqlite3 *db = conn.db_.get();
  const std::string query = schema_query();
  sqlite3_stmt *raw = nullptr;
  int rc = sqlite3_prepare_v2(db, query.c_str(), -1, &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return conn.fail_sqlite(rc);
  std::string piece;
  bool first = true;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt.get(), 0));
    piece.assign(first ? "" : "\n");
    piece.append(text ? text : "");
    piece.append(";\n");
    first = false;
    if (fn(user, piece.data(), piece.size()) != 0) {
      return conn.fail(TIDE_EINTERNAL, "dump: the writer failed (the output was not completely written)");
    }
  }
  if (rc != SQLITE_DONE) return conn.fail_sqlite(rc);
  return TIDE_OK;
}

}  // namespace tide_sqlite
