// Runs one ONNX backend node test case (model.onnx plus test_data_set_*/input_K.pb and
// output_K.pb) through the engine, judged as ONNX's own runner judges: the same shape
// and type, and every value within atol 1e-7 + rtol 1e-3.
#pragma once

#include <string>

#include "digits/status.h"

namespace digits::cli {

// Success when every data set of the case passes; otherwise what differed, e.g.
// "test_data_set_0 output 0: value 17 is 0.51, expected 0.5".
Status run_conformance_case(const std::string& case_dir);

}  // namespace digits::cli
