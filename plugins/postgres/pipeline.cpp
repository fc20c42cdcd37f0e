// Pipeline (pipeline.h): commands queued in libpq's pipeline mode, one Sync, one round
// trip.

#include "pipeline.h"

#include <libpq-fe.h>
#include <tide/driver.h>

#include <algorithm>
#include <utility>

namespace tide_pg {

Pipeline::Pipeline(tide_conn &conn) : conn_(conn), pg_(conn.pg_.get()) {
  conn_.note_state();
  entered_ = PQenterPipelineMode(pg_) == 1;
  if (!entered_) return;
  if (conn_.begin_pending_) {
    conn_.begin_pending_ = false;
    begin_ = true;
    query("BEGIN");
  }
}

// run() read every answer, so the connection is idle and leaves pipeline mode; after a
// broken connection it stays as it is (every call fails on it anyway).
Pipeline::~Pipeline() {
  if (entered_) PQexitPipelineMode(pg_);
}

void Pipeline::queued(int ok) {
  if (ok == 1) {
    ++commands_;
  } else {
    send_failed_ = true;
  }
}

void Pipeline::query_prepared(const std::string &name, const Params &p) {
  if (!entered_ || send_failed_) return;
  queued(PQsendQueryPrepared(pg_, name.c_str(), static_cast<int>(p.values.size()), p.values.data(), p.lengths.data(),
                             p.formats.data(), 0));
}

void Pipeline::query(const std::string &sql, const Params *p) {
  if (!entered_ || send_failed_) return;
  if (!p) {
    queued(PQsendQueryParams(pg_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
    return;
  }
  queued(PQsendQueryParams(pg_, sql.c_str(), static_cast<int>(p->values.size()), p->types.data(), p->values.data(),
                           p->lengths.data(), p->formats.data(), 0));
}

int Pipeline::cached(const std::string &shape, const char *prefix, const std::function<std::string()> &sql,
                     const Params &p) {
  constexpr size_t kCacheSize = 8;
  auto &cache = conn_.prepared_;
  auto hit = std::find_if(cache.begin(), cache.end(), [&](const auto &e) { return e.shape == shape; });
  std::string name;
  if (hit != cache.end()) {
    std::rotate(cache.begin(), hit, hit + 1);  // most recent first
    name = cache.front().name;
  } else {
    if (cache.size() >= kCacheSize) {  // the least recently used goes, on the server too
      query("DEALLOCATE " + cache.back().name);
      cache.pop_back();
    }
    name = prefix + std::to_string(++conn_.prepared_serial_);
    fresh_.push_back({shape, name, commands_ - (begin_ ? 1 : 0)});
    if (entered_ && !send_failed_) {
      queued(PQsendPrepare(pg_, name.c_str(), sql().c_str(), static_cast<int>(p.types.size()), p.types.data()));
    }
  }
  int index = commands_ - (begin_ ? 1 : 0);
  query_prepared(name, p);
  return index;
}

int Pipeline::run(std::vector<ResultHandle> &results, int &failed) {
  results.clear();
  failed = -1;
  if (!entered_ || PQpipelineSync(pg_) != 1) return conn_.fail_result(nullptr);
  ResultHandle error;
  int error_index = -1;
  for (int i = 0; i < commands_; ++i) {
    ResultHandle last;
    while (PGresult *raw = PQgetResult(pg_)) {
      ResultHandle r(raw);
      ExecStatusType status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_ABORTED) continue;
      // libpq 15 leaves single-row mode on from the connection's previous query(), so a
      // command's row may come as PGRES_SINGLE_TUPLE before an empty PGRES_TUPLES_OK:
      // keep the row (the commands queued here answer one row at most).
      if (status == PGRES_TUPLES_OK && last && PQresultStatus(last.get()) == PGRES_SINGLE_TUPLE) continue;
      if ((status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) && !error) {
        error = std::move(r);
        error_index = i;
        continue;
      }
      last = std::move(r);
    }
    if (!(begin_ && i == 0)) results.push_back(std::move(last));
  }
  commands_ = 0;
  // The Sync's own result ends the pipeline's answers.
  while (PGresult *raw = PQgetResult(pg_)) {
    ResultHandle r(raw);
    if (PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
  }
  const bool ok = !error && !send_failed_ && conn_.alive();
  failed = error_index < 0 ? -1 : error_index - (begin_ ? 1 : 0);
  for (Fresh &f : fresh_) {  // a statement whose Parse succeeded exists on the server
    if (ok || failed > f.index)
      conn_.prepared_.insert(conn_.prepared_.begin(), {std::move(f.shape), std::move(f.name)});
  }
  fresh_.clear();
  if (ok) return TIDE_OK;
  int rc = conn_.fail_result(error.get());
  error_ = std::move(error);
  return rc;
}

}  // namespace tide_pg
