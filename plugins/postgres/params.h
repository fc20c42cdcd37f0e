// Bound parameters for libpq: tide_values turned into the arrays PQsendQueryParams and
// PQsendQueryPrepared take, and the type OIDs the driver reads and writes.

#ifndef TIDE_PLUGINS_POSTGRES_PARAMS_H_
#define TIDE_PLUGINS_POSTGRES_PARAMS_H_

#include <libpq-fe.h>
#include <tide/driver.h>

#include <cstddef>
#include <string>
#include <vector>

struct tide_conn;

namespace tide_pg {

// Type OIDs (pg_type.h), stable across server versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700, kFloat8 = 701,
              kNumeric = 1700;

// One parameter per index in libpq's arrays; values point into text (so a Params is
// filled in place and never copied). Blobs go as binary, everything else as text.
struct Params {
  std::vector<std::string> text;
  std::vector<const char *> values;
  std::vector<int> lengths, formats;
  std::vector<Oid> types;
};

// The shortest text that reads back as f ("NaN", "Infinity" too): float8's input form.
std::string float_text(double f);

// Fills p with n values. typed: integers go as bigint, numbers as double precision,
// booleans as boolean, blobs as bytea, text untyped (the server infers its type from the
// context, so a string binds to a date, a uuid or json alike, and `SELECT $1` of an
// integer comes back an integer); untyped: every type is the server's to infer (an
// INSERT's target columns). A failure is TIDE_EMISUSE on conn, its message starting
// with what ("query: parameter 3 ...").
int build_params(tide_conn &conn, const char *what, const tide_value *params, size_t n, bool typed, Params &p);

}  // namespace tide_pg

#endif  // TIDE_PLUGINS_POSTGRES_PARAMS_H_
