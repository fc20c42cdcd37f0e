// Helpers every C++ driver's entry table needs, so each driver does not carry its own
// copy: the exception guards of the extern "C" entries, the error of a NULL connection,
// and identifier quoting. The error record itself is error_record.h.
#pragma once

#include <tide/driver.h>

#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace tide::driver {

// Runs fn, turning any escaping exception into conn's error (conn->error_ has set(code,
// message) and set_static(code, literal)): nothing crosses the ABI. name prefixes the
// message ("postgres driver: ...").
template <class Conn, class Fn>
int guarded(Conn *conn, const char *name, Fn &&fn) noexcept {
  if (!conn) return TIDE_EMISUSE;
  try {
    return fn();
  } catch (const std::bad_alloc &) {
    return conn->error_.set_static(TIDE_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    try {
      return conn->error_.set(TIDE_EINTERNAL, std::string(name) + " driver: " + e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  return conn->error_.set_static(TIDE_EINTERNAL, "driver: unexpected exception");
}

// For entries without a connection to carry the error (split): an escaping exception
// becomes a bare code.
template <class Fn>
int guarded_bare(Fn &&fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc &) {
    return TIDE_ENOMEM;
  } catch (...) {
    return TIDE_EINTERNAL;
  }
}

// What last_error(NULL) returns.
inline constexpr tide_error kNoConnection = {TIDE_EMISUSE, "no connection", nullptr, 0, nullptr, nullptr, -1, -1};

// A quote_ident entry (driver.h): ident between two q characters, any q inside doubled.
inline size_t quote_with(char q, const char *ident, size_t len, char *out, size_t cap) noexcept {
  if (!ident) len = 0;
  size_t needed = len + 2;
  for (size_t i = 0; i < len; ++i) needed += ident[i] == q;
  if (needed >= cap || !out) {
    if (cap > 0 && out) out[0] = '\0';
    return needed;
  }
  char *p = out;
  *p++ = q;
  for (size_t i = 0; i < len; ++i) {
    if (ident[i] == q) *p++ = q;
    *p++ = ident[i];
  }
  *p++ = q;
  *p = '\0';
  return needed;
}

// "ident": the SQL standard's (SQLite, PostgreSQL).
inline size_t quote_double(const char *ident, size_t len, char *out, size_t cap) noexcept {
  return quote_with('"', ident, len, out, cap);
}

// `ident`: MySQL's, which works whatever the session's sql_mode (ANSI_QUOTES or not).
inline size_t quote_backtick(const char *ident, size_t len, char *out, size_t cap) noexcept {
  return quote_with('`', ident, len, out, cap);
}

// An identifier quoted with q, as a string (for the SQL a driver builds itself).
inline std::string quoted(char q, std::string_view ident) {
  std::string out(ident.size() * 2 + 3, '\0');
  out.resize(quote_with(q, ident.data(), ident.size(), out.data(), out.size()));
  return out;
}

// A table name as tide_upsert gives it: "name", or "schema.name" with each part quoted.
inline std::string quoted_table(char q, std::string_view table) {
  size_t dot = table.find('.');
  if (dot == std::string_view::npos) return quoted(q, table);
  return quoted(q, table.substr(0, dot)) + "." + quoted(q, table.substr(dot + 1));
}

}  // namespace tide::driver
