// Where the tests find the project's files.
#pragma once

#include <string>

#ifndef DIGITS_SOURCE_DIR
#error "DIGITS_SOURCE_DIR must be defined by the build"
#endif

namespace digits::test {

inline std::string source_path(const std::string& relative) { return std::string(DIGITS_SOURCE_DIR) + "/" + relative; }

}  // namespace digits::test
