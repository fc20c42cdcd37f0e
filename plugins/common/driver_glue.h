// Helpers every C++ driver's entry table needs, so each driver does not carry its own
// copy: the exception guard of the extern "C" entries, and double-quote identifier
// quoting (the SQL standard's, used by SQLite and PostgreSQL). Header-only.
#pragma once

#include <tide/driver.h>

#include <cstddef>
#include <exception>
#include <new>
#include <string>

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

// The quote_ident entry (driver.h) for "ident" quoting with embedded quotes doubled.
inline size_t quote_double(const char *ident, size_t len, char *out, size_t cap) noexcept {
  if (!ident) len = 0;
  size_t needed = len + 2;
  for (size_t i = 0; i < len; ++i) needed += ident[i] == '"';
  if (needed >= cap || !out) {
    if (cap > 0 && out) out[0] = '\0';
    return needed;
  }
  char *p = out;
  *p++ = '"';
  for (size_t i = 0; i < len; ++i) {
    if (ident[i] == '"') *p++ = '"';
    *p++ = ident[i];
  }
  *p++ = '"';
  *p = '\0';
  return needed;
}

}  // namespace tide::driver
