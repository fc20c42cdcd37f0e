// Finding and loading driver plugins (SPEC §9): dlopen by path, the ABI checks, and the
// search by URL scheme over --plugin-path, TIDE_PLUGIN_PATH, the install's
// lib/tide/plugins and the build tree.
#pragma once

#include <tide/driver.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

// Whether a plugin's table reaches `member` (one appended in a later ABI minor) and sets
// it: members past the struct_size a plugin reports must not be read.
#define TIDE_DRIVER_HAS(table, member)                                                       \
  ((table).struct_size >= offsetof(tide_driver, member) + sizeof((table).member) && \
   (table).member != nullptr)

namespace tide {

// A loaded plugin library. dlclose()s on destruction, so it must outlive every
// connection made through it.
class Plugin {
 public:
  static Result<std::shared_ptr<Plugin>> load(const std::filesystem::path &path);
  ~Plugin();
  Plugin(const Plugin &) = delete;
  Plugin &operator=(const Plugin &) = delete;

  const tide_driver &table() const { return *table_; }
  const std::filesystem::path &path() const { return path_; }
  bool handles(std::string_view scheme) const;
  std::vector<std::string> schemes() const;

 private:
  Plugin(void *handle, const tide_driver *table, std::filesystem::path path)
      : handle_(handle), table_(table), path_(std::move(path)) {}
  void *handle_;
  const tide_driver *table_;
  std::filesystem::path path_;
};

class PluginFinder {
 public:
  // Directories in search order: explicit ones (--plugin-path / config plugin_path),
  // then TIDE_PLUGIN_PATH (colon-separated), then the install and build locations
  // relative to the running binary.
  explicit PluginFinder(std::vector<std::filesystem::path> explicit_dirs);

  const std::vector<std::filesystem::path> &dirs() const { return dirs_; }
  // The plugin serving scheme; the error lists where it looked.
  Result<std::shared_ptr<Plugin>> for_scheme(const std::string &scheme) const;
  // Every tide-driver-*.so found, loaded; failures are returned alongside.
  struct Found {
    std::filesystem::path path;
    std::shared_ptr<Plugin> plugin;  // null when loading failed
    std::string error;
  };
  std::vector<Found> all() const;

 private:
  std::vector<std::filesystem::path> candidates() const;
  std::vector<std::filesystem::path> dirs_;
};

}  // namespace tide
