// Strict base64 (RFC 4648, standard alphabet, padded). Our own: Pistache's decoder
// turns invalid characters into data instead of failing, and an image is either
// exactly right or rejected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace digits::server {

// nullopt unless text is canonical padded base64.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace digits::server
