// The conformance executable's main(): Catch2's own. The cases live in *_test.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
