// Several commands in one round trip: libpq's pipeline mode (the extended protocol's
// Parse/Bind/Execute messages sent back to back, one Sync at the end). A noted BEGIN
// (connection.cpp defers it) goes first in the same round trip.
//
// The server runs the commands in order and skips the rest after the first error; up to
// the Sync they are one implicit transaction unless an explicit one is open, so outside
// a transaction a pipeline is all or nothing.

#ifndef TIDE_PLUGINS_POSTGRES_PIPELINE_H_
#define TIDE_PLUGINS_POSTGRES_PIPELINE_H_

#include <libpq-fe.h>

#include <functional>
#include <string>
#include <vector>

#include "connection.h"
#include "params.h"

namespace tide_pg {

class Pipeline {
 public:
  // Enters pipeline mode on conn (which must be idle) and queues the noted BEGIN.
  explicit Pipeline(tide_conn &conn);
  Pipeline(const Pipeline &) = delete;
  Pipeline &operator=(const Pipeline &) = delete;
  ~Pipeline();

  // Queue one command each; the index of its result in run()'s answer is the order of
  // queueing. A failure to queue shows in run().
  void query_prepared(const std::string &name, const Params &p);
  void query(const std::string &sql, const Params *p = nullptr);
  // Queues the execution of the session's prepared statement for shape (any text that
  // tells statements apart), queueing its Parse first when the session has none: sql()
  // gives the text, p's types the parameter types. The session keeps the 8 most recently
  // used (tide_conn::prepared_); names start with prefix. Returns the execution's index
  // among the queued commands.
  int cached(const std::string &shape, const char *prefix, const std::function<std::string()> &sql, const Params &p);

  // Sends everything and reads every answer. On TIDE_OK, results[i] is the result of
  // the i-th queued command (with its row: commands sent this way answer one row at
  // most). On failure, the connection's error is set from the first
  // failed command, whose index is in failed (-1 when the failure was not one command's,
  // such as a lost connection or the BEGIN).
  int run(std::vector<ResultHandle> &results, int &failed);
  // The failed command's result after run() failed (for its other fields), or NULL.
  const PGresult *error() const { return error_.get(); }

 private:
  void queued(int ok);

  tide_conn &conn_;
  PGconn *pg_;
  bool entered_ = false, send_failed_ = false;
  int commands_ = 0;  // queued, the BEGIN included
  bool begin_ = false;
  ResultHandle error_;
  // Statements prepared by this pipeline: kept by the session once their Parse is done.
  struct Fresh {
    std::string shape, name;
    int index;  // of the Parse among the queued commands, the BEGIN not counted
  };
  std::vector<Fresh> fresh_;
};

}  // namespace tide_pg

#endif  // TIDE_PLUGINS_POSTGRES_PIPELINE_H_
