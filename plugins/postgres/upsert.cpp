// The upsert entry (driver.h, ABI 1.1) for PostgreSQL. Rows go in as multi-row
//   INSERT INTO t AS tide_t (cols) VALUES ($1, $2), ($3, $4) ...
//     ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c, ...
//     WHERE (tide_t.c::text, ...) IS DISTINCT FROM (EXCLUDED.c::text, ...)
// with as many rows per statement as PostgreSQL's 65,535 bound parameters allow. Each
// statement shape (table, columns, mode, row count) is prepared once per session and
// reused for every batch of that shape; the first batch of a shape sends its Parse, the
// noted BEGIN and the batch in one round trip (pipeline.h).
//
// Counting. UPDATE: the statement sits in a CTE whose RETURNING says xmax = 0 for a
// row that was inserted (an updated row's new version carries the updating
// transaction's xmax), and the outer SELECT counts both kinds; a row whose columns
// already hold the new values fails the WHERE and is not returned, so it is unchanged.
// IGNORE (ON CONFLICT DO NOTHING) and INSERT count from the command tag.
//
// The comparison is on the columns' text forms: json, xml or point columns have no
// equality operator, so a typed comparison would refuse them, and two values with the
// same text are the same value for a seed's purposes.
//
// failed_row: errors found while parsing (an unknown column, a key without a unique
// index, a missing table, no permission) are not about rows: -1. An error about the data
// names its row where the server says enough: a duplicate key's DETAIL names the key, a
// NOT NULL violation its column, a bad value's message quotes the value, and a key
// repeated within one statement is found among the batch's rows. Otherwise it is the
// first row of the failing statement.

#include <driver_glue.h>
#include <libpq-fe.h>
#include <tide/driver.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connection.h"
#include "params.h"
#include "pipeline.h"

namespace tide_pg {
namespace {

constexpr size_t kMaxParams = 65535;  // the protocol's limit on bound parameters
constexpr const char *kAlias = "tide_t";

std::string list(const char *const *names, size_t n, std::string_view prefix = {}, std::string_view suffix = {}) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out.append(prefix).append(tide::driver::quoted('"', names[i])).append(suffix);
  }
  return out;
}

bool ignores_conflicts(const tide_upsert &spec) {
  return spec.mode == TIDE_UPSERT_IGNORE || (spec.mode == TIDE_UPSERT_UPDATE && spec.nupdate == 0);
}

std::string upsert_sql(const tide_upsert &spec, size_t rows) {
  std::string sql = "INSERT INTO " + tide::driver::quoted_table('"', spec.table) + " AS " + kAlias + " (" +
                    list(spec.columns, spec.ncolumns) + ") VALUES ";
  sql.reserve(sql.size() + rows * spec.ncolumns * 8);
  size_t param = 0;
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t c = 0; c < spec.ncolumns; ++c) sql += (c ? ", $" : "$") + std::to_string(++param);
    sql += ")";
  }
  if (spec.mode == TIDE_UPSERT_INSERT) return sql;
  std::string target = spec.nkey ? " (" + list(spec.key, spec.nkey) + ")" : "";
  if (ignores_conflicts(spec)) return sql + " ON CONFLICT" + target + " DO NOTHING";
  std::string set;
  for (size_t i = 0; i < spec.nupdate; ++i) {
    std::string c = tide::driver::quoted('"', spec.update[i]);
    set += (i ? ", " : "") + c + " = EXCLUDED." + c;
  }
  sql += " ON CONFLICT" + target + " DO UPDATE SET " + set + " WHERE (" +
         list(spec.update, spec.nupdate, std::string(kAlias) + ".", "::text") + ") IS DISTINCT FROM (" +
         list(spec.update, spec.nupdate, "EXCLUDED.", "::text") + ") RETURNING xmax = 0";
  return "WITH tide_w (inserted) AS (" + sql +
         ") SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM tide_w";
}

// What makes two statements the same: the cache's key, cheaper than the SQL itself.
std::string shape_of(const tide_upsert &spec, size_t rows) {
  std::string shape = std::to_string(spec.mode) + ":" + std::to_string(rows) + ":" + spec.table;
  auto add = [&](const char *const *names, size_t n) {
    shape += '\x1e';
    for (size_t i = 0; i < n; ++i) shape.append(names[i]).push_back('\x1f');
  };
  add(spec.columns, spec.ncolumns);
  add(spec.key, spec.nkey);
  add(spec.update, spec.nupdate);
  return shape;
}

int check_spec(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows) {
  if (!spec || spec->struct_size < offsetof(tide_upsert, mode) + sizeof(int))
    return conn.fail(TIDE_EMISUSE, "upsert: spec is NULL or too small");
  if (!spec->table || !*spec->table || spec->ncolumns == 0 || !spec->columns)
    return conn.fail(TIDE_EMISUSE, "upsert: a table and at least one column are required");
  if (spec->ncolumns > kMaxParams)
    return conn.fail(TIDE_EMISUSE, "upsert: more columns than PostgreSQL's 65535 parameters");
  if (nrows > 0 && !values) return conn.fail(TIDE_EMISUSE, "upsert: values is NULL");
  if (spec->mode < TIDE_UPSERT_INSERT || spec->mode > TIDE_UPSERT_IGNORE)
    return conn.fail(TIDE_EMISUSE, "upsert: unknown mode " + std::to_string(spec->mode));
  if (spec->mode == TIDE_UPSERT_UPDATE && spec->nkey == 0)
    return conn.fail(TIDE_EMISUSE, "upsert: UPDATE mode needs the key columns (the conflict target)");
  if ((spec->nkey && !spec->key) || (spec->nupdate && !spec->update))
    return conn.fail(TIDE_EMISUSE, "upsert: key or update is NULL");
  auto named = [](const char *const *names, size_t n) {
    return std::all_of(names, names + n, [](const char *s) { return s && *s; });
  };
  if (!named(spec->columns, spec->ncolumns) || !named(spec->key, spec->nkey) || !named(spec->update, spec->nupdate))
    return conn.fail(TIDE_EMISUSE, "upsert: a column name is NULL or empty");
  return TIDE_OK;
}

// ---- which row an error is about ----------------------------------------------------------

// A value as the server prints it in a key's DETAIL, or nullopt for NULL (never a
// conflicting key) and unknown types.
std::optional<std::string> printed(const tide_value &v) {
  switch (v.type) {
    case TIDE_TYPE_INT:
      return std::to_string(v.u.i);
    case TIDE_TYPE_FLOAT:
      return float_text(v.u.f);
    case TIDE_TYPE_BOOL:
      return v.u.i ? "t" : "f";
    case TIDE_TYPE_TEXT:
      return std::string(v.u.s.ptr ? v.u.s.ptr : kEmpty, v.u.s.len);
    case TIDE_TYPE_BLOB: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out = "\\x";
      for (size_t i = 0; i < v.u.s.len; ++i) {
        auto b = static_cast<unsigned char>(v.u.s.ptr[i]);
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

bool same_value(const tide_value &a, const tide_value &b) {
  if (a.type != b.type || a.type == TIDE_TYPE_NULL) return false;  // NULL keys never conflict
  auto pa = printed(a), pb = printed(b);
  return pa && pb && *pa == *pb;
}

// "a, \"B c\"" → {"a", "B c"}: identifiers as the server quotes them in a DETAIL.
std::vector<std::string> identifiers(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    std::string name;
    if (text[i] == '"') {
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"' && (i + 1 >= text.size() || text[i + 1] != '"')) break;
        if (text[i] == '"') ++i;
        name += text[i];
      }
      ++i;  // the closing quote
    } else {
      size_t end = std::min(text.find(", ", i), text.size());
      name = std::string(text.substr(i, end - i));
      i = end;
    }
    out.push_back(std::move(name));
    if (text.compare(i, 2, ", ") == 0)
      i += 2;
    else if (i < text.size())
      return {};  // not a plain list
  }
  return out;
}

class RowFinder {
 public:
  RowFinder(const tide_upsert &spec, const tide_value *values, size_t first, size_t n)
      : spec_(spec), values_(values), first_(first), n_(n) {}

  int64_t find(const PGresult *error) const {
    std::string state = field(error, PG_DIAG_SQLSTATE);
    std::string_view klass = std::string_view(state).substr(0, 2);
    // Data exceptions, integrity constraints, cardinality (a key twice in one
    // statement), triggered changes and a trigger's RAISE are about rows; parse errors,
    // permissions, locks and lost connections are not.
    if (!(klass == "21" || klass == "22" || klass == "23" || klass == "27" || klass == "44" || klass == "P0"))
      return -1;
    std::optional<size_t> row;
    if (state == "23505" || state == "23P01") row = by_key_detail(field(error, PG_DIAG_MESSAGE_DETAIL));
    if (state == "23502") row = by_null_column(field(error, PG_DIAG_COLUMN_NAME));
    if (state == "21000") row = by_repeated_key();
    if (klass == "22") row = by_quoted_value(field(error, PG_DIAG_MESSAGE_PRIMARY));
    return static_cast<int64_t>(row.value_or(first_));
  }

 private:
  static std::string field(const PGresult *r, int code) {
    const char *v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? v : "";
  }

  const tide_value &at(size_t row, size_t column) const { return values_[row * spec_.ncolumns + column]; }

  std::optional<size_t> column_index(std::string_view name) const {
    for (size_t c = 0; c < spec_.ncolumns; ++c)
      if (name == spec_.columns[c]) return c;
    return std::nullopt;
  }

  // "Key (a, b)=(1, x) already exists." / "... conflicts with existing key ...".
  std::optional<size_t> by_key_detail(const std::string &detail) const {
    constexpr std::string_view kKey = "Key (";
    size_t eq = detail.find(")=(");
    if (!detail.starts_with(kKey) || eq == std::string::npos) return std::nullopt;
    std::string_view rest = std::string_view(detail).substr(eq + 3);
    size_t end = rest.find(") already exists");
    if (end == std::string_view::npos) end = rest.find(") conflicts with existing key");
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view key_text = rest.substr(0, end);
    std::vector<size_t> columns;
    for (const std::string &name : identifiers(std::string_view(detail).substr(kKey.size(), eq - kKey.size()))) {
      auto c = column_index(name);
      if (!c) return std::nullopt;  // an expression index, or a column we did not write
      columns.push_back(*c);
    }
    if (columns.empty()) return std::nullopt;
    for (size_t r = first_; r < first_ + n_; ++r) {
      std::string key;
      bool complete = true;
      for (size_t i = 0; i < columns.size() && complete; ++i) {
        auto text = printed(at(r, columns[i]));
        complete = text.has_value();
        if (complete) key += (i ? ", " : "") + *text;
      }
      if (complete && key == key_text) return r;
    }
    return std::nullopt;
  }

  std::optional<size_t> by_null_column(const std::string &column) const {
    auto c = column_index(column);
    if (!c) return std::nullopt;  // not written: every row fails alike
    for (size_t r = first_; r < first_ + n_; ++r)
      if (at(r, *c).type == TIDE_TYPE_NULL) return r;
    return std::nullopt;
  }

  // The first row whose key repeats an earlier row's of the same statement.
  std::optional<size_t> by_repeated_key() const {
    std::vector<size_t> key;
    for (size_t k = 0; k < spec_.nkey; ++k) {
      auto c = column_index(spec_.key[k]);
      if (!c) return std::nullopt;
      key.push_back(*c);
    }
    for (size_t r = first_ + 1; r < first_ + n_; ++r) {
      for (size_t earlier = first_; earlier < r; ++earlier) {
        if (std::all_of(key.begin(), key.end(), [&](size_t c) { return same_value(at(r, c), at(earlier, c)); }))
          return r;
      }
    }
    return std::nullopt;
  }

  // `invalid input syntax for type integer: "abc"`: the first row with that text.
  std::optional<size_t> by_quoted_value(const std::string &message) const {
    size_t open = message.find('"'), close = message.rfind('"');
    if (open == std::string::npos || close <= open) return std::nullopt;
    std::string_view quoted_value = std::string_view(message).substr(open + 1, close - open - 1);
    for (size_t r = first_; r < first_ + n_; ++r) {
      for (size_t c = 0; c < spec_.ncolumns; ++c) {
        const tide_value &v = at(r, c);
        if (v.type == TIDE_TYPE_TEXT && std::string_view(v.u.s.ptr ? v.u.s.ptr : kEmpty, v.u.s.len) == quoted_value)
          return r;
      }
    }
    return std::nullopt;
  }

  const tide_upsert &spec_;
  const tide_value *values_;
  size_t first_, n_;
};

// ---- one statement ------------------------------------------------------------------------

// SQLSTATE 26000 for one of tide's statements: it is gone from the server.
bool lost_statement(const PGresult *error) {
  const char *state = error ? PQresultErrorField(error, PG_DIAG_SQLSTATE) : nullptr;
  return state && std::string_view(state) == "26000";
}

class Upsert {
 public:
  Upsert(tide_conn &conn, const tide_upsert &spec, const tide_value *values, tide_upsert_result &result)
      : conn_(conn), spec_(spec), values_(values), result_(result) {}

  // Rows [first, first + n) as one statement.
  int batch(size_t first, size_t n) {
    Params p;
    if (int rc = build_params(conn_, "upsert", values_ + first * spec_.ncolumns, n * spec_.ncolumns, false, p);
        rc != TIDE_OK) {
      result_.failed_row = static_cast<int64_t>(first);
      return rc;
    }
    Pipeline pipeline(conn_);
    const int executed = pipeline.cached(
        shape_of(spec_, n), "tide_upsert_", [&] { return upsert_sql(spec_, n); }, p);
    std::vector<ResultHandle> results;
    int failed = -1;
    int rc = pipeline.run(results, failed);
    if (rc != TIDE_OK) {
      conn_.error_.set_offsets(-1, -1);  // positions in tide's own SQL mean nothing to the host
      if (lost_statement(pipeline.error())) {
        conn_.prepared_.clear();  // the next call prepares again
        conn_.error_.set_hint(
            "tide's prepared statements on this session were dropped (DEALLOCATE ALL or DISCARD ALL in "
            "tide's session, or a connection pooler in transaction mode); run again, or connect to the "
            "server directly or through a pooler in session mode");
      }
      result_.failed_row = failed == executed ? RowFinder(spec_, values_, first, n).find(pipeline.error()) : -1;
      return rc;
    }
    count(results.back().get(), n);
    return TIDE_OK;
  }

 private:
  void count(const PGresult *r, size_t n) {
    auto rows = static_cast<int64_t>(n);
    ExecStatusType status = PQresultStatus(r);
    if ((status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE) && PQntuples(r) == 1) {  // UPDATE: the CTE's counts
      int64_t inserted = std::atoll(PQgetvalue(r, 0, 0)), updated = std::atoll(PQgetvalue(r, 0, 1));
      result_.inserted += inserted;
      result_.updated += updated;
      result_.unchanged += rows - inserted - updated;
      return;
    }
    int64_t inserted = std::atoll(PQcmdTuples(const_cast<PGresult *>(r)));
    result_.inserted += inserted;
    result_.unchanged += rows - inserted;
  }

  tide_conn &conn_;
  const tide_upsert &spec_;
  const tide_value *values_;
  tide_upsert_result &result_;
};

}  // namespace

int upsert_rows(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                tide_upsert_result *result) {
  if (!result) return conn.fail(TIDE_EMISUSE, "upsert: result is NULL");
  *result = tide_upsert_result{0, 0, 0, -1};
  if (int rc = conn.require_idle("upsert"); rc != TIDE_OK) return rc;
  if (int rc = check_spec(conn, spec, values, nrows); rc != TIDE_OK) return rc;
  Upsert run(conn, *spec, values, *result);
  const size_t per_statement = kMaxParams / spec->ncolumns;
  for (size_t first = 0; first < nrows; first += per_statement) {
    if (int rc = run.batch(first, std::min(per_statement, nrows - first)); rc != TIDE_OK) return rc;
  }
  return TIDE_OK;
}

}  // namespace tide_pg
