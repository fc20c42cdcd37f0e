// Reading CSV files as a stream of records, for db:load_csv: RFC 4180 (quoted fields
// with "" escapes and line breaks, CRLF or LF) parsed by libcsv in strict mode, fed one
// physical line at a time so every record and every error carries its line number. Only
// one record is held in memory at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "util/status.h"

namespace tide {

struct CsvField {
  std::string text;
  bool empty_unquoted = false;  // an empty field without quotes (`a,,b`), not `""`
};

struct CsvRecord {
  std::vector<CsvField> fields;  // only the first `size` are this record's
  size_t size = 0;
  int64_t line = 0;  // the line the record ends on (1-based)
};

class CsvReader {
 public:
  // fn is called for each record; a failed Status stops the reading and is returned.
  // progress(fraction of the file's bytes read) is called between records now and then.
  using RecordFn = std::function<Status(const CsvRecord &record)>;

  // display names the file in errors ("seeds/data/countries.csv").
  CsvReader(std::string path, std::string display, char delimiter = ',');

  Status read(const RecordFn &fn, const std::function<void(double)> &progress = {});

 private:
  std::string path_, display_;
  char delimiter_;
};

}  // namespace tide
