#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include "digits/preprocess.h"
#include "files.h"
#include "paths.h"

using namespace digits;

namespace {

const std::string kFixtures = "model/fixtures/preprocess/";

cli::RgbaImage load_png(const std::string& name) {
  auto bytes = cli::read_file(test::source_path(kFixtures + name + ".png"));
  REQUIRE(bytes.ok());
  auto image = cli::decode_png(bytes.value());
  REQUIRE_MESSAGE(image.ok(), image.status().message());
  return image.take();
}

Preprocessed preprocess_fixture(const std::string& name) {
  const cli::RgbaImage image = load_png(name);
  auto out = preprocess_canvas(image.pixels.data(), image.pixels.size(), image.width, image.height);
  REQUIRE(out.ok());
  return out.take();
}

double mean_difference(const Preprocessed& a, const Preprocessed& b) {
  double sum = 0;
  for (int i = 0; i < kImagePixels; ++i) sum += std::abs(a.image[i] - b.image[i]);
  return sum / kImagePixels;
}

}  // namespace

TEST_CASE("every fixture preprocesses as model/preprocess.py does") {
  auto json = cli::read_file(test::source_path(kFixtures + "cases.json"));
  REQUIRE(json.ok());
  rapidjson::Document cases;
  cases.Parse(reinterpret_cast<const char*>(json.value().data()), json.value().size());
  REQUIRE(cases.IsObject());
  int checked = 0;
  for (const auto& item : cases["cases"].GetArray()) {
    const std::string name = item["name"].GetString();
    CAPTURE(name);
    const Preprocessed actual = preprocess_fixture(name);
    REQUIRE(actual.nothing_drawn == item["nothing_drawn"].GetBool());
    if (actual.nothing_drawn) {
      CHECK(actual.reason == item["why"].GetString());
    } else {
      auto expected = cli::read_file(test::source_path(kFixtures + name + ".u8"));
      REQUIRE(expected.ok());
      REQUIRE(expected.value().size() == static_cast<size_t>(kImagePixels));
      int worst = 0;
      for (int i = 0; i < kImagePixels; ++i) worst = std::max(worst, std::abs(actual.image[i] - expected.value()[i]));
      CHECK(worst <= 1);  // float rounding may flip a value sitting on .5
    }
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("the same digit small in a corner and large in the middle gives nearly the same image") {
  const Preprocessed large = preprocess_fixture("seven_large_middle");
  const Preprocessed small = preprocess_fixture("seven_small_corner");
  const Preprocessed native = preprocess_fixture("seven_at_mnist_scale");
  CHECK(mean_difference(large, small) < 6.0);   // out of 255
  CHECK(mean_difference(large, native) < 8.0);
  // and the ink sits centred: centre of mass within a pixel of (14, 14)
  double mass = 0, y_moment = 0, x_moment = 0;
  for (int i = 0; i < kImagePixels; ++i) {
    mass += small.image[i];
    y_moment += (i / kFieldSize) * small.image[i];
    x_moment += (i % kFieldSize) * small.image[i];
  }
  CHECK(std::abs(y_moment / mass - 14.0) < 1.0);
  CHECK(std::abs(x_moment / mass - 14.0) < 1.0);
}

TEST_CASE("a tap far from the digit is left out, a mark near it is read") {
  auto json = cli::read_file(test::source_path(kFixtures + "cases.json"));
  REQUIRE(json.ok());
  rapidjson::Document cases;
  cases.Parse(reinterpret_cast<const char*>(json.value().data()), json.value().size());
  REQUIRE(cases.HasMember("identical"));
  for (const auto& pair : cases["identical"].GetArray()) {
    const std::string alone = pair[0].GetString(), with_tap = pair[1].GetString();
    CAPTURE(with_tap);
    CHECK(preprocess_fixture(alone).image == preprocess_fixture(with_tap).image);
  }
  const Preprocessed seven = preprocess_fixture("seven_large_middle");
  const Preprocessed near = preprocess_fixture("seven_near_mark");
  int mark_pixels = 0;  // where the seven alone has no ink and the mark is
  for (int i = 0; i < kImagePixels; ++i) mark_pixels += seven.image[i] == 0 && near.image[i] > 20;
  CHECK(mark_pixels >= 1);
}

namespace {

// A white canvas of side x side pixels with black squares: {top, left, size} each.
std::vector<uint8_t> canvas_with(int side, std::initializer_list<std::array<int, 3>> squares) {
  std::vector<uint8_t> canvas(static_cast<size_t>(side) * side * 4, 255);
  for (const auto& [top, left, size] : squares) {
    for (int y = top; y < top + size; ++y) {
      for (int x = left; x < left + size; ++x) {
        uint8_t* p = &canvas[(static_cast<size_t>(y) * side + x) * 4];
        p[0] = p[1] = p[2] = 0;
      }
    }
  }
  return canvas;
}

Preprocessed preprocess_square_canvas(const std::vector<uint8_t>& canvas, int side) {
  auto out = preprocess_canvas(canvas.data(), canvas.size(), side, side);
  REQUIRE(out.ok());
  REQUIRE_FALSE(out.value().nothing_drawn);
  return out.take();
}

}  // namespace

TEST_CASE("marks as large as the largest are all read") {
  // Two blocks far apart: each as large as the largest, so neither is a stray tap, and
  // the image holds both, side by side.
  const auto pair = preprocess_square_canvas(canvas_with(200, {{90, 10, 20}, {90, 170, 20}}), 200);
  CHECK(pair.image[14 * kFieldSize + 4] > 100);
  CHECK(pair.image[14 * kFieldSize + 23] > 100);
  CHECK(pair.image[14 * kFieldSize + 14] == 0);
}

TEST_CASE("specks far from the digit are left out, unless there are too many to sort") {
  // A 40-pixel block at the top of a 300-pixel canvas and single-pixel specks along its
  // bottom: 200 of them are stray taps; 300 (more than 256 marks) are read whole, since
  // a rule that compares every mark with every other would cost their square.
  const auto with_specks = [](int count) {
    std::vector<uint8_t> canvas = canvas_with(300, {{10, 130, 40}});
    for (int i = 0; i < count; ++i) {
      uint8_t* p = &canvas[(static_cast<size_t>(i < 150 ? 290 : 294) * 300 + (i % 150) * 2) * 4];
      p[0] = p[1] = p[2] = 0;
    }
    return preprocess_square_canvas(canvas, 300);
  };
  const auto inked = [](const Preprocessed& out) {
    return std::count_if(out.image.begin(), out.image.end(), [](uint8_t value) { return value > 0; });
  };
  const auto block = preprocess_square_canvas(canvas_with(300, {{10, 130, 40}}), 300);
  CHECK(with_specks(200).image == block.image);
  CHECK(inked(block) > 300);              // the block fills the 20x20 box
  CHECK(inked(with_specks(300)) < 50);    // the block a few pixels wide, the specks' box 20 rows tall
}

TEST_CASE("on the largest canvas, a dot far from the digit changes nothing") {
  const int side = kMaxCanvasSide;
  const auto bar = preprocess_square_canvas(canvas_with(side, {{1000, 2000, 600}}), side);
  const auto with_dot = preprocess_square_canvas(canvas_with(side, {{1000, 2000, 600}, {4000, 10, 30}}), side);
  CHECK(bar.image == with_dot.image);
}

TEST_CASE("canvas sizes and buffer lengths are checked") {
  std::vector<uint8_t> pixels(16, 255);
  CHECK(preprocess_canvas(pixels.data(), pixels.size(), 0, 4).status().message() ==
        "canvas of 0x4 pixels: each side must be 1 to 4096");
  CHECK(preprocess_canvas(pixels.data(), pixels.size(), 4097, 1).status().message() ==
        "canvas of 4097x1 pixels: each side must be 1 to 4096");
  CHECK(preprocess_canvas(pixels.data(), pixels.size(), 2, 3).status().message() ==
        "canvas of 2x3 needs 24 bytes of RGBA, got 16");
  CHECK(preprocess_canvas(nullptr, 16, 2, 2).status().message() == "canvas of 2x2 needs 16 bytes of RGBA, got 16");
  auto one = preprocess_canvas(pixels.data(), 4, 1, 1);
  REQUIRE(one.ok());
  CHECK(one.value().nothing_drawn);
}

TEST_CASE("the largest canvas, blank or with a stroke, is handled") {
  const int side = kMaxCanvasSide;
  std::vector<uint8_t> canvas(static_cast<size_t>(side) * side * 4, 255);
  auto blank = preprocess_canvas(canvas.data(), canvas.size(), side, side);
  REQUIRE(blank.ok());
  CHECK(blank.value().nothing_drawn);
  for (int y = 1000; y < 3000; ++y) {
    for (int x = 2000; x < 2200; ++x) {
      uint8_t* p = &canvas[(static_cast<size_t>(y) * side + x) * 4];
      p[0] = p[1] = p[2] = 0;
    }
  }
  auto bar = preprocess_canvas(canvas.data(), canvas.size(), side, side);
  REQUIRE(bar.ok());
  REQUIRE_FALSE(bar.value().nothing_drawn);
  CHECK(bar.value().image[14 * kFieldSize + 14] == 204);  // the bar, 20 px tall, through the centre, at INK_PEAK
  CHECK(bar.value().image[14 * kFieldSize + 4] == 0);
}

TEST_CASE("a PNG that is not a PNG is a clear error") {
  const std::vector<uint8_t> text = {'n', 'o', 't', ' ', 'a', ' ', 'p', 'n', 'g', '!'};
  CHECK(cli::decode_png(text).status().message() == "not a PNG file");
  auto bytes = cli::read_file(test::source_path(kFixtures + "seven_large_middle.png"));
  REQUIRE(bytes.ok());
  std::vector<uint8_t> truncated(bytes.value().begin(), bytes.value().begin() + 60);
  CHECK(cli::decode_png(truncated).status().message().find("corrupt PNG") == 0);
}
