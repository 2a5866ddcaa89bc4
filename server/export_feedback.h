// Exports the images people labelled as MNIST IDX files, for model/train.py --extra.
#pragma once

#include <string>

#include "config.h"
#include "result.h"

namespace digits::server {

// Writes DIR/feedback-images-idx3-ubyte.gz and DIR/feedback-labels-idx1-ubyte.gz; the
// count of samples goes to `count`.
Status export_feedback(const Config& config, const std::string& directory, size_t& count);

}  // namespace digits::server
