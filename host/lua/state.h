// One LuaJIT state for a run: the standard libraries, the embedded tide library in
// package.preload (or files under TIDE_LUA_PATH for development), and the one pcall
// helper every call into user code goes through (Neovim's nlua_pcall).
#pragma once

#include <functional>
#include <lua.hpp>
#include <memory>
#include <string>

#include "util/status.h"

namespace tide {

// Where tide.log and warnings from Lua go (the CLI's reporter).
using LogSink = std::function<void(const std::string &level, const std::string &message)>;
// Where values to mask in all output go (tide.exec's env values: the CLI's Output).
using SecretSink = std::function<void(const std::string &secret)>;

class LuaState {
 public:
  LuaState();
  ~LuaState();
  LuaState(const LuaState &) = delete;
  LuaState &operator=(const LuaState &) = delete;

  lua_State *L() const { return L_; }

  // Sets the global `tide` table (require "tide") with tide.env = environment (nil when
  // empty) and tide.log going to sink.
  Status install_globals(const std::string &environment, LogSink sink);
  void set_environment(const std::string &environment);
  void set_secret_sink(SecretSink sink);

  // Load a user file with chunk name "@display" and push the chunk. Syntax errors come
  // back with file and line.
  Status load_file(const std::string &path, const std::string &display);
  Status load_string(std::string_view code, const std::string &display);

  // Call the function below nargs arguments on the stack with a traceback handler.
  // On success nresults values are on the stack; on failure nothing is, and the Error
  // carries the message, any database fields of a tide error, and the traceback.
  Status pcall(int nargs, int nresults);

 private:
  lua_State *L_;
  LogSink sink_;
  SecretSink secret_sink_;
};

}  // namespace tide
