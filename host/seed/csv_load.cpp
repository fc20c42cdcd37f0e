#include "seed/csv_load.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "seed/csv_reader.h"

namespace tide {

namespace {

// A field as a typed value; text for kText. Returns what is wrong, else "".
std::string convert(const CsvField &f, CsvType type, tide_value &v) {
  v = tide_value{};
  const std::string &t = f.text;
  switch (type) {
    case CsvType::kText:
      if (t.find('\0') != std::string::npos)
        return "holds a NUL byte (\\0), which tide refuses on every database (PostgreSQL cannot store it in text)";
      v.type = TIDE_TYPE_TEXT;
      v.u.s.ptr = t.data();
      v.u.s.len = t.size();
      return {};
    case CsvType::kInteger: {
      errno = 0;
      char *end = nullptr;
      long long i = std::strtoll(t.c_str(), &end, 10);
      if (t.empty() || *end != '\0' || errno == ERANGE || t.front() == ' ') return "is not an integer";
      v.type = TIDE_TYPE_INT;
      v.u.i = i;
      return {};
    }
    case CsvType::kNumber: {
      char *end = nullptr;
      double number = std::strtod(t.c_str(), &end);
      if (t.empty() || *end != '\0' || t.front() == ' ') return "is not a number";
      v.type = TIDE_TYPE_FLOAT;
      v.u.f = number;
      return {};
    }
    case CsvType::kBoolean: {
      static const char *const kTrue[] = {"true", "t", "yes", "y", "1"}, *const kFalse[] = {"false", "f", "no", "n",
                                                                                            "0"};
      v.type = TIDE_TYPE_BOOL;
      for (const char *s : kTrue)
        if (strcasecmp(t.c_str(), s) == 0) return v.u.i = 1, std::string();
      for (const char *s : kFalse)
        if (strcasecmp(t.c_str(), s) == 0) return v.u.i = 0, std::string();
      return "is not a boolean (true/false, t/f, yes/no, 1/0)";
    }
  }
  return "has an unknown type";
}

// The loading of one file: the header first, then every record.
class Load {
 public:
  Load(Session &session, RowsOptions rows, const CsvOptions &csv, const std::string &path, RowSink *sink)
      : session_(session), rows_(std::move(rows)), csv_(csv), path_(path), sink_(sink) {}

  Result<UpsertCounts> run() {
    CsvReader reader(path_, path_, csv_.delimiter);
    Status s = reader.read([this](const CsvRecord &r) { return record(r); }, [this](double f) { fraction_ = f; });
    if (!s.ok()) return s;
    if (!writer_)
      return Status::fail(Exit::kFailed, fmt::format("{}: the file is empty; it needs a header row", path_));
    TIDE_TRY(writer_->finish());
    return writer_->counts();
  }

 private:
  Status fail(int64_t line, const std::string &message) {
    return Status::fail(Exit::kFailed, fmt::format("{}:{}: {}", path_, line, message));
  }

  Status record(const CsvRecord &r) {
    if (!writer_) return header(r);
    if (r.size != header_size_)
      return fail(r.line, fmt::format("{} field(s), but the header has {}", r.size, header_size_));
    for (size_t c = 0; c < pick_.size(); ++c) {
      const CsvField &f = r.fields[pick_[c]];
      bool null = csv_.null_marker.empty() ? f.empty_unquoted : f.text == csv_.null_marker;
      if (null) {
        values_[c] = tide_value{};
        continue;
      }
      if (std::string why = convert(f, types_[c], values_[c]); !why.empty())
        return fail(r.line, fmt::format("column \"{}\": \"{}\" {}", rows_.spec.columns[c], f.text, why));
    }
    for (size_t k : key_index_)
      if (values_[k].type == TIDE_TYPE_NULL)
        return fail(r.line,
                    fmt::format("key column \"{}\" is empty (NULL); every row needs its key", rows_.spec.columns[k]));
    writer_->set_fraction(fraction_);
    return writer_->add(values_, r.line);
  }

  // Long because the header decides everything: names, renames, the selection, types.
  Status header(const CsvRecord &r) {
    header_size_ = r.size;
    std::vector<std::string> names;
    for (size_t i = 0; i < r.size; ++i) {
      std::string name = r.fields[i].text;
      for (const auto &[from, to] : csv_.rename)
        if (name == from) name = to;
      if (name.empty()) return fail(r.line, fmt::format("header field {} is empty; every column needs a name", i + 1));
      if (std::find(names.begin(), names.end(), name) != names.end())
        return fail(r.line, fmt::format("the header names column \"{}\" twice", name));
      names.push_back(name);
    }
    for (const auto &[from, to] : csv_.rename)
      if (std::find(names.begin(), names.end(), to) == names.end())
        return fail(r.line, fmt::format("rename: the header has no column \"{}\"", from));
    std::vector<std::string> &cols = rows_.spec.columns;
    if (!rows_.listed) cols = names;
    for (const auto &c : cols) {
      auto at = std::find(names.begin(), names.end(), c);
      if (at == names.end())
        return fail(r.line, fmt::format("column \"{}\" is not in the header ({})", c, fmt::join(names, ", ")));
      pick_.push_back(static_cast<size_t>(at - names.begin()));
    }
    types_.assign(cols.size(), CsvType::kText);
    for (const auto &[col, type] : csv_.types) {
      auto at = std::find(cols.begin(), cols.end(), col);
      if (at == cols.end()) return fail(r.line, fmt::format("types: \"{}\" is not one of the columns loaded", col));
      types_[static_cast<size_t>(at - cols.begin())] = type;
    }
    if (std::string m = resolve_columns(rows_); !m.empty()) return fail(r.line, m);
    for (const auto &k : rows_.spec.key)
      key_index_.push_back(static_cast<size_t>(std::find(cols.begin(), cols.end(), k) - cols.begin()));
    values_.resize(cols.size());
    std::string path = path_;
    writer_ = std::make_unique<RowWriter>(
        session_, rows_.spec, sink_, path_, [path](int64_t line) { return fmt::format("{}:{}", path, line); }, -1);
    return {};
  }

  Session &session_;
  RowsOptions rows_;
  const CsvOptions &csv_;
  std::string path_;
  RowSink *sink_;
  std::unique_ptr<RowWriter> writer_;
  size_t header_size_ = 0;
  std::vector<size_t> pick_;  // header position of each loaded column
  std::vector<CsvType> types_;
  std::vector<size_t> key_index_;
  std::vector<tide_value> values_;
  double fraction_ = -1;
};

}  // namespace

bool parse_csv_type(const std::string &name, CsvType &out) {
  if (name == "text" || name == "string") return out = CsvType::kText, true;
  if (name == "integer" || name == "int") return out = CsvType::kInteger, true;
  if (name == "number" || name == "float") return out = CsvType::kNumber, true;
  if (name == "boolean" || name == "bool") return out = CsvType::kBoolean, true;
  return false;
}

Result<UpsertCounts> load_csv(Session &session, RowsOptions rows, const CsvOptions &csv, const std::string &path,
                              RowSink *sink) {
  return Load(session, std::move(rows), csv, path, sink).run();
}

}  // namespace tide
