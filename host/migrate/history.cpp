#include "migrate/history.h"

#include <fmt/format.h>

namespace tide {

namespace {

constexpr const char *kColumns[] = {"kind",        "version",    "name",        "checksum",     "status", "applied_at",
                                    "duration_ms", "applied_by", "environment", "tide_version", "error"};

// Bound values of a record, in kColumns order. Views into r: r must outlive them.
std::vector<tide_value> values_of(const HistoryRecord &r) {
  auto opt_text = [](const std::string &s) { return s.empty() ? null_value() : text_value(s); };
  return {text_value(r.kind),      text_value(r.version),    text_value(r.name),       text_value(r.checksum),
          text_value(r.status),    text_value(r.applied_at), int_value(r.duration_ms), opt_text(r.applied_by),
          opt_text(r.environment), opt_text(r.tide_version), opt_text(r.error)};
}

}  // namespace

bool is_missing_table(const Error &e) {
  if (e.sqlstate == "42P01" || e.sqlstate == "42S02") return true;
  return e.sqlstate.empty() && e.message.find("no such table") != std::string::npos;
}

SqlHistory::SqlHistory(Session &session, std::string table) : session_(session), name_(table) {
  const Dialect &d = session.dialect();
  table_ = d.quote_ident(table);
  std::string cols, marks, sets;
  int n = 0;
  for (const char *c : kColumns) {
    ++n;
    if (n > 1) cols += ", ", marks += ", ";
    cols += c;
    marks += d.placeholder(n);
  }
  // UPDATE binds the nine non-key columns first, then the key.
  int m = 0;
  for (size_t i = 2; i < std::size(kColumns); ++i) {
    if (m) sets += ", ";
    sets += fmt::format("{} = {}", kColumns[i], d.placeholder(++m));
  }
  insert_sql_ = fmt::format("INSERT INTO {} ({}) VALUES ({})", table_, cols, marks);
  update_sql_ = fmt::format("UPDATE {} SET {} WHERE kind = {} AND version = {}", table_, sets, d.placeholder(m + 1),
                            d.placeholder(m + 2));
  delete_sql_ =
      fmt::format("DELETE FROM {} WHERE kind = {} AND version = {}", table_, d.placeholder(1), d.placeholder(2));
  select_sql_ = fmt::format("SELECT {} FROM {} WHERE kind = {}", cols, table_, d.placeholder(1));
}

Status SqlHistory::ensure() {
  std::string ddl = session_.dialect().history_ddl();
  for (size_t at = ddl.find("{table}"); at != std::string::npos; at = ddl.find("{table}", at + table_.size()))
    ddl.replace(at, 7, table_);
  Status s = session_.exec(ddl);
  if (!s.ok()) s.error().message = fmt::format("cannot create the history table {}: {}", table_, s.error().message);
  return s;
}

Status SqlHistory::run(const std::string &sql, std::vector<tide_value> params) {
  auto cur = session_.query(sql, params);
  if (!cur) return cur.status();
  auto more = (*cur)->step();
  while (more && *more) more = (*cur)->step();
  return more.status();
}

Result<std::vector<HistoryRecord>> SqlHistory::load(const std::string &kind) {
  tide_value k = text_value(kind);
  auto cur = session_.query(select_sql_, std::span(&k, 1));
  if (!cur) return cur.status();
  std::vector<HistoryRecord> out;
  for (;;) {
    auto more = (*cur)->step();
    if (!more) return more.status();
    if (!*more) break;
    auto col = [&](int i) { return value_to_string((*cur)->column(i)); };
    HistoryRecord r;
    r.kind = col(0);
    r.version = col(1);
    r.name = col(2);
    r.checksum = col(3);
    r.status = col(4);
    r.applied_at = col(5);
    tide_value d = (*cur)->column(6);
    r.duration_ms = d.type == TIDE_TYPE_INT ? d.u.i : std::atoll(col(6).c_str());
    r.applied_by = col(7);
    r.environment = col(8);
    r.tide_version = col(9);
    r.error = col(10);
    out.push_back(std::move(r));
  }
  return out;
}

Status SqlHistory::insert(const HistoryRecord &r) { return run(insert_sql_, values_of(r)); }

Status SqlHistory::insert_then_commit(const HistoryRecord &r, Session &session) {
  return session.commit_with(insert_sql_, values_of(r));
}

Status SqlHistory::update(const HistoryRecord &r) {
  std::vector<tide_value> v = values_of(r);
  // Move the key (kind, version) to the end, in the order update_sql_ binds them.
  std::vector<tide_value> params(v.begin() + 2, v.end());
  params.push_back(v[0]);
  params.push_back(v[1]);
  return run(update_sql_, std::move(params));
}

Status SqlHistory::remove(const std::string &kind, const std::string &version) {
  return run(delete_sql_, {text_value(kind), text_value(version)});
}

Status SqlHistory::remove_then_commit(const std::string &kind, const std::string &version, Session &session) {
  std::vector<tide_value> params = {text_value(kind), text_value(version)};
  return session.commit_with(delete_sql_, params);
}

Status History::put(std::span<const HistoryRecord>) {
  return Status::fail(Exit::kFailed, "this history cannot write rows without a transaction");
}

UpsertSpec SqlHistory::put_spec(const std::string &table) {
  UpsertSpec spec;
  spec.table = table;
  spec.columns.assign(std::begin(kColumns), std::end(kColumns));
  spec.key = {"kind", "version"};
  spec.update.assign(std::begin(kColumns) + 2, std::end(kColumns));  // every column but the key
  spec.mode = TIDE_UPSERT_UPDATE;
  return spec;
}

std::vector<tide_value> SqlHistory::put_values(std::span<const HistoryRecord> rows) {
  std::vector<tide_value> values;
  values.reserve(rows.size() * std::size(kColumns));
  for (const HistoryRecord &r : rows) {
    std::vector<tide_value> row = values_of(r);
    values.insert(values.end(), row.begin(), row.end());
  }
  return values;
}

Status SqlHistory::put(std::span<const HistoryRecord> rows) {
  UpsertCounts counts;
  return session_.upsert(put_spec(name_), put_values(rows), rows.size(), counts);
}

Status SqlHistory::put_then_exec(std::span<const HistoryRecord> rows, Session &session, std::string_view script,
                                 Session::Stage &stage) {
  UpsertCounts counts;
  return session.upsert_then_exec(put_spec(name_), put_values(rows), rows.size(), counts, script, stage);
}

}  // namespace tide
