// Parsing an SQLite database URL (sqlite:PATH, sqlite::memory:, ...) into what to open.
// No SQLite and no file system: connect_to() in connection.cpp does the opening.

#ifndef TIDE_PLUGINS_SQLITE_URL_H_
#define TIDE_PLUGINS_SQLITE_URL_H_

#include <string>
#include <string_view>

namespace tide_sqlite {

struct Target {
  std::string path;  // as the URL gives it, percent-decoded
  bool memory = false;
  bool read_only = false;
};

// sqlite:PATH, sqlite:/ABS, sqlite:///ABS, sqlite://REL (the "host" is read as the first
// path component), sqlite::memory:, and the same with sqlite3:. PATH is relative to the
// current directory. Returns TIDE_OK, or TIDE_EMISUSE with error set.
int parse_url(std::string_view url, Target &target, std::string &error);

}  // namespace tide_sqlite

#endif  // TIDE_PLUGINS_SQLITE_URL_H_
