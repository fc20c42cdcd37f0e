#include "seed/csv_reader.h"

#include <csv.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tide {

namespace {

// What the libcsv callbacks (plain C function pointers) work on.
struct Parse {
  const CsvReader::RecordFn *fn;
  CsvRecord record;
  int64_t line = 1;      // the physical line being fed
  int64_t last_end = 0;  // the line the previous record ended on
  Status failed;         // set by a callback: later callbacks do nothing
};

void on_field(void *data, size_t len, void *p) {
  auto *parse = static_cast<Parse *>(p);
  if (!parse->failed.ok()) return;
  CsvRecord &r = parse->record;
  if (r.size == r.fields.size()) r.fields.emplace_back();
  CsvField &f = r.fields[r.size++];
  f.empty_unquoted = data == nullptr;  // CSV_EMPTY_IS_NULL
  f.text.assign(data ? static_cast<const char *>(data) : "", data ? len : 0);
}

void on_record(int, void *p) {
  auto *parse = static_cast<Parse *>(p);
  if (!parse->failed.ok()) return;
  parse->record.line = parse->line;
  parse->last_end = parse->line;
  parse->failed = (*parse->fn)(parse->record);
  parse->record.size = 0;
}

// RFC 4180: spaces are part of a field; libcsv would trim them by default.
int no_space(unsigned char) { return 0; }

// A descriptor closed on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

CsvReader::CsvReader(std::string path, std::string display, char delimiter)
    : path_(std::move(path)), display_(std::move(display)), delimiter_(delimiter) {}

// Long because it is one loop over the file with its error paths; the parsing itself is
// libcsv's and the per-record work is the caller's.
Status CsvReader::read(const RecordFn &fn, const std::function<void(double)> &progress) {
  Fd file{open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    return Status::fail(Exit::kFailed, fmt::format("{}: cannot open: {}", display_, std::strerror(errno)));
  struct stat st {};
  double size = fstat(file.fd, &st) == 0 && st.st_size > 0 ? static_cast<double>(st.st_size) : 0;

  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
    return Status::fail(Exit::kFailed, "out of memory");
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter_));
  csv_set_space_func(&parser, no_space);
  Parse parse{&fn, {}, 1, 0, {}};
  auto malformed = [&]() {
    csv_free(&parser);
    return Status::fail(
        Exit::kFailed,
        fmt::format("{}:{}: malformed CSV: {}", display_, parse.line,
                    csv_error(&parser) == CSV_EPARSE ? "a quote inside an unquoted field, or text after a closing quote"
                                                     : csv_strerror(csv_error(&parser))),
        "quote a field that holds the delimiter, a quote or a line break (\"a, b\"), and double "
        "the quotes inside it (\"say \"\"hi\"\"\")");
  };

  char buf[1 << 16];
  double done = 0;
  bool first = true;
  for (;;) {
    ssize_t got = ::read(file.fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      csv_free(&parser);
      return Status::fail(Exit::kFailed, fmt::format("{}: cannot read: {}", display_, std::strerror(errno)));
    }
    if (got == 0) break;
    const char *p = buf, *end = buf + got;
    if (first && got >= 3 && std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p += 3;  // a UTF-8 byte order mark
    first = false;
    // One physical line at a time, so the callbacks know the line they are on.
    while (p < end) {
      const char *nl = static_cast<const char *>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char *stop = nl ? nl + 1 : end;
      size_t len = static_cast<size_t>(stop - p);
      size_t used = csv_parse(&parser, p, len, on_field, on_record, &parse);
      if (!parse.failed.ok()) {
        csv_free(&parser);
        return parse.failed;
      }
      if (used != len) return malformed();
      if (nl) ++parse.line;
      p = stop;
    }
    done += static_cast<double>(got);
    if (progress && size > 0) progress(done / size);
  }
  if (csv_fini(&parser, on_field, on_record, &parse) != 0) {
    Status s = Status::fail(
        Exit::kFailed,
        fmt::format("{}:{}: malformed CSV: a quoted field is never closed (it runs to the end of the file)", display_,
                    parse.last_end + 1),
        "close the quote, and double any quote inside the field (\"say \"\"hi\"\"\")");
    csv_free(&parser);
    return s;
  }
  csv_free(&parser);
  return parse.failed;
}

}  // namespace tide
