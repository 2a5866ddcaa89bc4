// Every step names the function of model/preprocess.py it must agree with;
// tests/engine/preprocess_test.cpp checks the agreement on that module's fixtures.
#include "digits/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace digits {
namespace {

constexpr int kBox = 20;
constexpr int kMinContrast = 48;
constexpr int kMinInkPixels = 2;
// ref: model/preprocess.py INK_PEAK, where the reason for it is
constexpr double kInkPeak = 0.8;

// ref: model/preprocess.py darkness()
inline int darkness(const uint8_t* pixel) {
  const uint32_t luma = 299u * pixel[0] + 587u * pixel[1] + 114u * pixel[2];
  const uint32_t alpha = pixel[3];
  const uint32_t over_white = (luma * alpha + 255000u * (255u - alpha) + 127u) / 255u;
  return static_cast<int>((255000u - over_white + 500u) / 1000u);
}

// ref: model/preprocess.py background_level(), from the histogram of darkness
int background_level(const std::array<size_t, 256>& histogram, size_t pixels) {
  const size_t half = (pixels + 1) / 2;
  size_t seen = 0;
  for (int level = 0; level < 256; ++level) {
    seen += histogram[level];
    if (seen >= half) return level;
  }
  return 255;
}

struct Box {
  int top, bottom, left, right;  // half-open
};

// ref: model/preprocess.py area_weights(): the field pixels canvas pixel i covers
// (first, count) and by how much, with pixel i spanning [start + i*scale, start + (i+1)*scale).
struct Coverage {
  int first = 0;
  int count = 0;
  double weights[kFieldSize] = {};
};

std::vector<Coverage> area_weights(int source, double scale, double start) {
  std::vector<Coverage> coverage(static_cast<size_t>(source));
  for (int i = 0; i < source; ++i) {
    const double low = start + i * scale, high = start + (i + 1) * scale;
    const int first = std::max(0, static_cast<int>(std::floor(low)));
    const int end = std::min(kFieldSize, static_cast<int>(std::ceil(high)));
    coverage[i].first = first;
    for (int o = first; o < end; ++o) {
      coverage[i].weights[coverage[i].count++] = std::min(high, o + 1.0) - std::max(low, static_cast<double>(o));
    }
  }
  return coverage;
}

// The ink of a canvas: each pixel's darkness above the background, worked out once:
// the steps after read it several times, and each darkness costs two divisions. The
// loops over pixels read rows through plain pointers and compare without std::min and
// std::max: this file is compiled for size, where those calls (and a std::vector's
// construction and destruction, element by element) are not inlined, and the pad's
// 280x280 canvas took 3.1 ms to preprocess instead of 0.6 (docs/BENCHMARKS.md, "Engine").
// ref: model/preprocess.py ink_map()
struct InkMap {
  int width = 0, height = 0;
  std::unique_ptr<uint8_t[]> values;
  int strongest = 0;
  uint64_t total = 0;
  const uint8_t* row(int y) const { return values.get() + static_cast<size_t>(y) * width; }
};

InkMap ink_map(const uint8_t* rgba, int width, int height) {
  const size_t pixels = static_cast<size_t>(width) * height;
  InkMap ink{width, height, std::unique_ptr<uint8_t[]>(new uint8_t[pixels])};
  uint8_t* values = ink.values.get();
  std::array<size_t, 256> histogram{};
  for (size_t i = 0; i < pixels; ++i) {
    const int dark = darkness(rgba + 4 * i);
    values[i] = static_cast<uint8_t>(dark);
    ++histogram[dark];
  }
  const int background = background_level(histogram, pixels);
  for (size_t i = 0; i < pixels; ++i) {
    const int value = values[i] > background ? values[i] - background : 0;
    values[i] = static_cast<uint8_t>(value);
    if (value > ink.strongest) ink.strongest = value;
    ink.total += static_cast<uint64_t>(value);
  }
  return ink;
}

// ref: model/preprocess.py bounding_box(): the pixels with at least a fifth of the strongest ink.
Box ink_box(const InkMap& ink, int strongest) {
  Box box{ink.height, 0, ink.width, 0};
  for (int y = 0; y < ink.height; ++y) {
    const uint8_t* row = ink.row(y);
    for (int x = 0; x < ink.width; ++x) {
      if (row[x] * 5 < strongest) continue;
      if (y < box.top) box.top = y;
      box.bottom = y + 1;
      if (x < box.left) box.left = x;
      if (x >= box.right) box.right = x + 1;
    }
  }
  return box;
}

// ref: model/preprocess.py MAX_RUNS, MAX_MARKS
constexpr size_t kMaxRuns = 1u << 16;
constexpr size_t kMaxMarks = 256;

// A row's stretch of ink, [left, right), and the run it is joined to (union-find).
struct Run {
  int y, left, right;
  uint32_t parent;
};

uint32_t root(std::vector<Run>& runs, uint32_t i) {
  while (runs[i].parent != i) i = runs[i].parent = runs[runs[i].parent].parent;
  return i;
}

// ref: model/preprocess.py mark_boxes(): the boxes of the ink's separate marks (pixels of
// bounding_box()'s ink touching, diagonals included), found row by row as runs joined to
// the runs they touch in the row above. Empty past kMaxRuns runs or kMaxMarks marks:
// speckle, read whole, with no cost that grows with the square of the marks.
std::vector<Box> mark_boxes(const InkMap& ink, int strongest) {
  std::vector<Run> runs;
  size_t above = 0;  // where the row above starts in runs
  for (int y = 0; y < ink.height; ++y) {
    const uint8_t* pixels = ink.row(y);
    const size_t row = runs.size();
    for (int x = 0; x < ink.width;) {
      if (pixels[x] * 5 < strongest) {
        ++x;
        continue;
      }
      const int left = x;
      while (x < ink.width && pixels[x] * 5 >= strongest) ++x;
      if (runs.size() == kMaxRuns) return {};
      runs.push_back({y, left, x, static_cast<uint32_t>(runs.size())});
    }
    size_t first = above;  // the row above's first run that can still touch this row's
    for (size_t i = row; i < runs.size(); ++i) {
      while (first < row && runs[first].right < runs[i].left) ++first;
      for (size_t j = first; j < row && runs[j].left <= runs[i].right; ++j) {
        runs[root(runs, static_cast<uint32_t>(i))].parent = root(runs, static_cast<uint32_t>(j));
      }
    }
    above = row;
  }
  std::vector<Box> marks;
  std::vector<uint32_t> mark_of(runs.size(), UINT32_MAX);
  for (size_t i = 0; i < runs.size(); ++i) {
    const Run& run = runs[i];
    uint32_t& mark = mark_of[root(runs, static_cast<uint32_t>(i))];
    if (mark == UINT32_MAX) {
      if (marks.size() == kMaxMarks) return {};
      mark = static_cast<uint32_t>(marks.size());
      marks.push_back({run.y, run.y + 1, run.left, run.right});
    }
    Box& box = marks[mark];
    box.bottom = std::max(box.bottom, run.y + 1);
    box.left = std::min(box.left, run.left);
    box.right = std::max(box.right, run.right);
  }
  return marks;
}

// ref: model/preprocess.py STRAY_SIZE, STRAY_GAP
constexpr double kStraySize = 0.25;
constexpr double kStrayGap = 0.35;

inline int longer_side(const Box& box) { return std::max(box.bottom - box.top, box.right - box.left); }

// ref: model/preprocess.py digit_box() and joined_to_largest(): the box of the marks that
// make the digit, stray taps far from it left out, by the pad's rule for strokes: the
// digit grows from its largest mark; a mark joins it when its longer side is more than
// kStraySize of that one's, or it lies within kStrayGap of it from the box of what has
// joined so far. A mark left out lies outside the box returned, so the steps after it
// never see it.
Box digit_box(const InkMap& ink, int strongest) {
  const std::vector<Box> marks = mark_boxes(ink, strongest);
  if (marks.empty()) return ink_box(ink, strongest);
  size_t seed = 0;
  for (size_t i = 1; i < marks.size(); ++i) {
    if (longer_side(marks[i]) > longer_side(marks[seed])) seed = i;
  }
  const double scale = longer_side(marks[seed]);
  std::vector<bool> joined(marks.size(), false);
  joined[seed] = true;
  Box body = marks[seed];
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < marks.size(); ++i) {
      if (joined[i]) continue;
      const Box& mark = marks[i];
      const int gap = std::max({0, body.left - mark.right, mark.left - body.right, body.top - mark.bottom,
                                mark.top - body.bottom});
      if (longer_side(mark) > kStraySize * scale || gap < kStrayGap * scale) {
        joined[i] = grew = true;
        body = {std::min(body.top, mark.top), std::max(body.bottom, mark.bottom), std::min(body.left, mark.left),
                std::max(body.right, mark.right)};
      }
    }
  }
  return body;
}

// ref: model/preprocess.py preprocess_darkness() "crop.max()": the digit's own strongest
// ink, so that a darker tap left out does not make the digit fainter.
int strongest_in(const InkMap& ink, const Box& box) {
  int strongest = 0;
  for (int y = box.top; y < box.bottom; ++y) {
    const uint8_t* row = ink.row(y);
    for (int x = box.left; x < box.right; ++x) {
      if (row[x] > strongest) strongest = row[x];
    }
  }
  return strongest;
}

// ref: model/preprocess.py centre_of_mass(), on the crop scaled by 1/strongest; (y, x)
// from the box's corner.
std::pair<double, double> centre_of_mass(const InkMap& ink, const Box& box, int strongest) {
  double mass = 0.0, moment_y = 0.0, moment_x = 0.0;
  for (int y = 0; y < box.bottom - box.top; ++y) {
    const uint8_t* row = ink.row(box.top + y) + box.left;
    for (int x = 0; x < box.right - box.left; ++x) {
      const double value = static_cast<double>(row[x]) / strongest;
      mass += value;
      moment_y += (y + 0.5) * value;
      moment_x += (x + 0.5) * value;
    }
  }
  return {moment_y / mass, moment_x / mass};
}

// ref: model/preprocess.py preprocess() "field = INK_PEAK * (rows @ crop @ cols.T)", columns first so
// the intermediate is box_height x 28, never a copy of the whole crop.
void resample(const InkMap& ink, const Box& box, int strongest, double scale, double start_y, double start_x,
              uint8_t* image) {
  const int box_height = box.bottom - box.top, box_width = box.right - box.left;
  const std::vector<Coverage> rows = area_weights(box_height, scale, start_y);
  const std::vector<Coverage> cols = area_weights(box_width, scale, start_x);
  std::vector<double> partial(static_cast<size_t>(box_height) * kFieldSize, 0.0);
  for (int y = 0; y < box_height; ++y) {
    double* partial_row = &partial[static_cast<size_t>(y) * kFieldSize];
    const uint8_t* row = ink.row(box.top + y) + box.left;
    for (int x = 0; x < box_width; ++x) {
      const int value_ink = row[x];
      if (value_ink == 0) continue;
      const double value = static_cast<double>(value_ink) / strongest;
      const Coverage& c = cols[x];
      for (int j = 0; j < c.count; ++j) partial_row[c.first + j] += c.weights[j] * value;
    }
  }
  double field[kImagePixels] = {};
  for (int y = 0; y < box_height; ++y) {
    const Coverage& r = rows[y];
    const double* partial_row = &partial[static_cast<size_t>(y) * kFieldSize];
    for (int j = 0; j < r.count; ++j) {
      double* field_row = field + (r.first + j) * kFieldSize;
      for (int x = 0; x < kFieldSize; ++x) field_row[x] += r.weights[j] * partial_row[x];
    }
  }
  for (int i = 0; i < kImagePixels; ++i) {
    image[i] = static_cast<uint8_t>(std::floor(std::clamp(kInkPeak * field[i], 0.0, 1.0) * 255.0 + 0.5));
  }
}

Status check_canvas(const uint8_t* rgba, size_t length, int width, int height) {
  if (width < 1 || height < 1 || width > kMaxCanvasSide || height > kMaxCanvasSide) {
    return Status::error("canvas of " + std::to_string(width) + "x" + std::to_string(height) +
                         " pixels: each side must be 1 to " + std::to_string(kMaxCanvasSide));
  }
  const size_t pixels = static_cast<size_t>(width) * height;
  if (rgba == nullptr || length != pixels * 4) {
    return Status::error("canvas of " + std::to_string(width) + "x" + std::to_string(height) + " needs " +
                         std::to_string(pixels * 4) + " bytes of RGBA, got " + std::to_string(length));
  }
  return Status::success();
}

}  // namespace

Result<Preprocessed> preprocess_canvas(const uint8_t* rgba, size_t length, int width, int height) {
  DIGITS_TRY(check_canvas(rgba, length, width, height));
  Preprocessed out;
  const InkMap ink = ink_map(rgba, width, height);
  const int strongest = ink.strongest;
  if (strongest < kMinContrast) {
    out.nothing_drawn = true;
    out.reason = "the canvas is blank or the ink too faint";
    return out;
  }
  if (ink.total < static_cast<uint64_t>(kMinInkPixels) * strongest) {
    out.nothing_drawn = true;
    out.reason = "too little ink to be a digit";
    return out;
  }
  const Box box = digit_box(ink, strongest);
  const int digit_strongest = strongest_in(ink, box);
  // ref: model/preprocess.py box_scale() and placement()
  const double scale = static_cast<double>(kBox) / longer_side(box);
  const auto [centre_y, centre_x] = centre_of_mass(ink, box, digit_strongest);
  const double start_y = kFieldSize / 2.0 + 0.5 - centre_y * scale;
  const double start_x = kFieldSize / 2.0 + 0.5 - centre_x * scale;
  resample(ink, box, digit_strongest, scale, start_y, start_x, out.image.data());
  return out;
}

void normalise_image(const uint8_t* image, float mean, float std_dev, float* out) {
  // ref: model/preprocess.py normalise(), model/train.py to_tensor()
  for (int i = 0; i < kImagePixels; ++i) out[i] = (image[i] / 255.0f - mean) / std_dev;
}

}  // namespace digits
