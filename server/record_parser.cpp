#include "record_parser.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <optional>
#include <cmath>

#include "base64.h"

namespace digits::server {
namespace {

using Value = rapidjson::Value;

constexpr size_t kMaxStrokes = 200;
constexpr size_t kMaxPointsPerStroke = 2000;
constexpr size_t kMaxStrokesBytes = 64 * 1024;
constexpr double kMaxLatencyMs = 600000;

// The first problem found in a record: which field, and what is wrong with it.
struct Problem {
  std::string field;
  std::string error;
};

bool digits_at(std::string_view text, size_t at, size_t count) {
  for (size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

int number_at(std::string_view text, size_t at, size_t count) {
  int value = 0;
  for (size_t i = at; i < at + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// A string's whole text: JSON allows "\u0000" inside one, where GetString() alone ends.
std::string_view text_of(const Value& value) { return {value.GetString(), value.GetStringLength()}; }

const Value* member(const Value& object, const char* name) {
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() || found->value.IsNull() ? nullptr : &found->value;
}

bool read_uuid(const Value& object, const char* name, std::string& out, Problem& problem) {
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsString() || !is_uuid(text_of(*value))) {
    problem = {name, "must be a UUID such as 0b9e7c1a-5f0e-4d8e-9a59-6f1d2c3b4a5e"};
    return false;
  }
  out = text_of(*value);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return true;
}

bool read_text(const Value& object, const char* name, bool (*valid)(std::string_view), const char* rule,
               std::string& out, Problem& problem) {
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsString() || !valid(text_of(*value))) {
    problem = {name, rule};
    return false;
  }
  out = text_of(*value);
  return true;
}

bool read_digit(const Value& object, const char* name, int& out, Problem& problem) {
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsInt() || value->GetInt() < 0 || value->GetInt() > 9) {
    problem = {name, "must be a whole number from 0 to 9"};
    return false;
  }
  out = value->GetInt();
  return true;
}

bool read_number(const Value& object, const char* name, double low, double high, double& out, Problem& problem) {
  const Value* value = member(object, name);
  if (value == nullptr || !value->IsNumber() || !std::isfinite(value->GetDouble()) || value->GetDouble() < low ||
      value->GetDouble() > high) {
    problem = {name, "must be a number from " + std::to_string(static_cast<long>(low)) + " to " +
                         std::to_string(static_cast<long>(high))};
    return false;
  }
  out = value->GetDouble();
  return true;
}

bool is_model_version(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool is_engine(std::string_view text) { return text == "native" || text == "ort"; }

// Strokes: [[ [x, y] or [x, y, t], ... ], ...] of finite numbers, capped in size.
bool read_strokes(const Value& object, std::string& out, Problem& problem) {
  const Value* strokes = member(object, "strokes");
  if (strokes == nullptr) return true;
  const Problem shape{"strokes", "must be a list of strokes, each a list of [x, y] or [x, y, t] points"};
  if (!strokes->IsArray() || strokes->Size() > kMaxStrokes) {
    problem = strokes->IsArray() ? Problem{"strokes", "has more than 200 strokes"} : shape;
    return false;
  }
  for (const Value& stroke : strokes->GetArray()) {
    if (!stroke.IsArray() || stroke.Size() > kMaxPointsPerStroke) {
      problem = stroke.IsArray() ? Problem{"strokes", "has a stroke of more than 2000 points"} : shape;
      return false;
    }
    for (const Value& point : stroke.GetArray()) {
      if (!point.IsArray() || point.Size() < 2 || point.Size() > 3) {
        problem = shape;
        return false;
      }
      for (const Value& coordinate : point.GetArray()) {
        if (!coordinate.IsNumber() || !std::isfinite(coordinate.GetDouble())) {
          problem = shape;
          return false;
        }
      }
    }
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  strokes->Accept(writer);
  if (buffer.GetSize() > kMaxStrokesBytes) {
    problem = {"strokes", "is larger than 64 KiB"};
    return false;
  }
  out.assign(buffer.GetString(), buffer.GetSize());
  return true;
}

bool parse_prediction(const Value& object, PredictionRecord& r, Problem& problem) {
  if (!read_uuid(object, "id", r.id, problem)) return false;
  if (!read_text(object, "client_id", is_client_id, "must be 1 to 64 letters, digits, '-', '_', '.' or ':'",
                 r.client_id, problem)) {
    return false;
  }
  if (!read_text(object, "created_at", is_timestamp, "must be an ISO 8601 time such as 2026-11-23T10:00:00.123Z",
                 r.created_at, problem)) {
    return false;
  }
  if (!read_digit(object, "predicted_digit", r.predicted_digit, problem)) return false;
  // Optional (clients before it did not send it): what the model read before the
  // person's memory had its say, so that the model's own accuracy can be told from the app's.
  if (member(object, "model_digit") != nullptr && !read_digit(object, "model_digit", r.model_digit, problem)) {
    return false;
  }
  // Optional too, and only with model_digit: the model's own probability of it, so that
  // its accuracy can be followed by how sure it was.
  if (member(object, "model_confidence") != nullptr) {
    if (r.model_digit < 0) {
      problem = {"model_confidence", "needs model_digit, the digit it is the probability of"};
      return false;
    }
    if (!read_number(object, "model_confidence", 0, 1, r.model_confidence, problem)) return false;
  }
  if (!read_number(object, "confidence", 0, 1, r.confidence, problem)) return false;
  const Value* probabilities = member(object, "probabilities");
  if (probabilities == nullptr || !probabilities->IsArray() || probabilities->Size() != 10) {
    problem = {"probabilities", "must be a list of 10 numbers"};
    return false;
  }
  double sum = 0;
  for (rapidjson::SizeType d = 0; d < 10; ++d) {
    const Value& p = (*probabilities)[d];
    if (!p.IsNumber() || !(p.GetDouble() >= 0 && p.GetDouble() <= 1)) {
      problem = {"probabilities", "must be 10 numbers from 0 to 1"};
      return false;
    }
    r.probabilities[d] = p.GetDouble();
    sum += p.GetDouble();
  }
  if (std::fabs(sum - 1.0) > 0.01) {
    problem = {"probabilities", "must add up to 1"};
    return false;
  }
  if (std::fabs(r.confidence - r.probabilities[r.predicted_digit]) > 1e-3) {
    problem = {"confidence", "must be the probability of predicted_digit"};
    return false;
  }
  const Value* image = member(object, "image");
  std::optional<std::vector<uint8_t>> pixels;
  if (image != nullptr && image->IsString() && image->GetStringLength() <= 2 * kImageBytes) {
    pixels = base64_decode(text_of(*image));
  }
  if (!pixels || pixels->size() != kImageBytes) {
    problem = {"image", "must be base64 of exactly 784 bytes (the 28x28 image)"};
    return false;
  }
  r.image = std::move(*pixels);
  if (!read_text(object, "engine", is_engine, "must be \"native\" or \"ort\"", r.engine, problem)) return false;
  if (!read_text(object, "model_version", is_model_version, "must be 1 to 64 printable characters", r.model_version,
                 problem)) {
    return false;
  }
  if (!read_number(object, "latency_ms", 0, kMaxLatencyMs, r.latency_ms, problem)) return false;
  return read_strokes(object, r.strokes_json, problem);
}

bool parse_feedback(const Value& object, FeedbackRecord& r, Problem& problem) {
  return read_uuid(object, "id", r.id, problem) && read_uuid(object, "prediction_id", r.prediction_id, problem) &&
         read_digit(object, "true_digit", r.true_digit, problem) &&
         read_text(object, "client_id", is_client_id, "must be 1 to 64 letters, digits, '-', '_', '.' or ':'",
                   r.client_id, problem) &&
         read_text(object, "created_at", is_timestamp, "must be an ISO 8601 time such as 2026-11-23T10:00:00.123Z",
                   r.created_at, problem);
}

void parse_record(const Value& value, size_t index, ParsedBody& out) {
  Problem problem;
  std::string id;
  if (value.IsObject()) {
    const Value* id_value = member(value, "id");
    if (id_value != nullptr && id_value->IsString() && is_uuid(text_of(*id_value))) id = text_of(*id_value);
  }
  if (!value.IsObject()) {
    problem = {"", "must be a JSON object"};
  } else if (const Value* type = member(value, "type"); type == nullptr || !type->IsString()) {
    problem = {"type", "must be \"prediction\" or \"feedback\""};
  } else if (text_of(*type) == "prediction") {
    PredictionRecord record;
    if (parse_prediction(value, record, problem)) {
      out.records.emplace_back(index, std::move(record));
      return;
    }
  } else if (text_of(*type) == "feedback") {
    FeedbackRecord record;
    if (parse_feedback(value, record, problem)) {
      out.records.emplace_back(index, std::move(record));
      return;
    }
  } else {
    problem = {"type", "must be \"prediction\" or \"feedback\""};
  }
  out.rejected.push_back({index, id, problem.field, problem.error});
}

}  // namespace

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

bool is_client_id(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), with a real calendar date, so that
// PostgreSQL never refuses a value we accepted.
bool is_timestamp(std::string_view t) {
  if (t.size() < 20 || t.size() > 35) return false;
  if (!digits_at(t, 0, 4) || t[4] != '-' || !digits_at(t, 5, 2) || t[7] != '-' || !digits_at(t, 8, 2) ||
      (t[10] != 'T' && t[10] != 't') || !digits_at(t, 11, 2) || t[13] != ':' || !digits_at(t, 14, 2) ||
      t[16] != ':' || !digits_at(t, 17, 2)) {
    return false;
  }
  const int year = number_at(t, 0, 4), month = number_at(t, 5, 2), day = number_at(t, 8, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  if (number_at(t, 11, 2) > 23 || number_at(t, 14, 2) > 59 || number_at(t, 17, 2) > 59) return false;
  size_t at = 19;
  if (at < t.size() && t[at] == '.') {
    size_t digits = 0;
    while (++at < t.size() && std::isdigit(static_cast<unsigned char>(t[at]))) ++digits;
    if (digits == 0 || digits > 9) return false;
  }
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) return at + 1 == t.size();
  if (at + 6 != t.size() || (t[at] != '+' && t[at] != '-') || !digits_at(t, at + 1, 2) || t[at + 3] != ':' ||
      !digits_at(t, at + 4, 2)) {
    return false;
  }
  return number_at(t, at + 1, 2) <= 14 && number_at(t, at + 4, 2) <= 59;
}

ParsedBody parse_log_body(std::string_view body) {
  ParsedBody out;
  rapidjson::Document document;
  // Iterative parsing: nesting depth costs heap, never the stack.
  document.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (document.HasParseError()) {
    out.error_status = 400;
    out.error = std::string("malformed JSON at byte ") + std::to_string(document.GetErrorOffset()) + ": " +
                rapidjson::GetParseError_En(document.GetParseError());
    return out;
  }
  if (!document.IsObject()) {
    out.error_status = 400;
    out.error = "the body must be a JSON object: one record, or {\"records\": [...]}";
    return out;
  }
  const Value* records = member(document, "records");
  if (records == nullptr) {
    if (member(document, "type") == nullptr) {
      out.error_status = 400;
      out.error = "the body must be one record (with \"type\") or {\"records\": [...]}";
      return out;
    }
    out.total = 1;
    parse_record(document, 0, out);
    return out;
  }
  if (!records->IsArray() || records->Empty()) {
    out.error_status = 400;
    out.error = "\"records\" must be a non-empty list";
    return out;
  }
  if (records->Size() > kMaxRecordsPerRequest) {
    out.error_status = 413;
    out.error = "at most 500 records per request, got " + std::to_string(records->Size());
    return out;
  }
  out.total = records->Size();
  for (rapidjson::SizeType i = 0; i < records->Size(); ++i) parse_record((*records)[i], i, out);
  return out;
}

}  // namespace digits::server
