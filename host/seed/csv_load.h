// db:load_csv: a CSV file streamed into a table through RowWriter. The header row names
// the columns (renamed and selected by the options), each field is converted to the
// column's declared type, and every error names the file and line.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "seed/row_writer.h"

namespace tide {

enum class CsvType { kText, kInteger, kNumber, kBoolean };

struct CsvOptions {
  char delimiter = ',';
  // The unquoted text that means NULL. Empty (the default): an empty unquoted field is
  // NULL and a quoted "" is an empty string.
  std::string null_marker;
  std::vector<std::pair<std::string, std::string>> rename;  // header → column
  std::vector<std::pair<std::string, CsvType>> types;       // column → type
};

// Parses "integer", "number", "boolean", "text"; false for anything else.
bool parse_csv_type(const std::string &name, CsvType &out);

// Loads path (shown as written) into rows.spec.table. rows.listed selects the columns
// to load (after renaming); key/update make it an upsert.
Result<UpsertCounts> load_csv(Session &session, RowsOptions rows, const CsvOptions &csv, const std::string &path,
                              RowSink *sink);

}  // namespace tide
