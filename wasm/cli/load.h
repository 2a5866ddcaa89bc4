// Small helpers the subcommands share.
#pragma once

#include <memory>
#include <string>

#include "digits/classifier.h"

namespace digits::cli {

// Reads and loads a model file; the error names the file.
Result<std::unique_ptr<Classifier>> load_classifier(const std::string& path);
// Prints "digits: <message>" to stderr and returns exit status 1.
int report(const Status& status);
std::string json_escape(const std::string& text);
double now_ms();

}  // namespace digits::cli
