#include "digits/classifier.h"

#include "digits/shape.h"

namespace digits {

Classifier::Classifier(std::unique_ptr<Engine> engine, ModelContract contract)
    : engine_(std::move(engine)), answerer_(std::move(contract)) {}

Result<std::unique_ptr<Classifier>> Classifier::load(const uint8_t* bytes, size_t size) {
  Result<onnx::Model> parsed = onnx::parse_model(bytes, size);
  if (!parsed.ok()) return parsed.status();
  Result<ModelContract> contract = read_model_contract(parsed.value());
  if (!contract.ok()) return contract.status();
  Result<std::unique_ptr<Engine>> engine = Engine::load(parsed.take());
  if (!engine.ok()) return engine.status();
  DIGITS_TRY(engine.value()->prepare({{1, 1, kFieldSize, kFieldSize}}));
  // The declarations said what they promise; the prepared graph shows what it gives.
  const TensorView scores = engine.value()->output(0);
  if (scores.type != onnx::DataType::float32 || element_count(scores.shape) != kDigits) {
    return Status::error("the model's output must be 10 float32 values per image, it is " + shape_string(scores.shape));
  }
  if (contract.value().embedding_size > 0) {
    const TensorView embedding = engine.value()->output(1);
    if (embedding.shape != Shape{1, contract.value().embedding_size}) {
      return Status::error("the model's embedding must be [1, " + std::to_string(contract.value().embedding_size) +
                           "] for one image, it is " + shape_string(embedding.shape));
    }
  }
  return std::unique_ptr<Classifier>(new Classifier(engine.take(), contract.take()));
}

Status Classifier::run(const uint8_t* image) {
  if (image == nullptr) return Status::error("no image");
  normalise_image(image, contract().norm_mean, contract().norm_std, engine_->input_data(0));
  return engine_->run();
}

const float* Classifier::embedding() const {
  return contract().embedding_size > 0 ? engine_->output(1).floats : nullptr;
}

Result<Classification> Classifier::classify_canvas(const uint8_t* rgba, size_t length, int width, int height) {
  Result<Preprocessed> preprocessed = preprocess_canvas(rgba, length, width, height);
  if (!preprocessed.ok()) return preprocessed.status();
  if (preprocessed.value().nothing_drawn) {
    Classification answer;
    answer.nothing_drawn = true;
    answer.reason = preprocessed.value().reason;
    return answer;
  }
  return classify_image(preprocessed.value().image.data());
}

Result<Classification> Classifier::classify_image(const uint8_t* image) {
  DIGITS_TRY(run(image));
  return answerer_.answer(engine_->output(0).floats, kDigits, embedding(),
                          static_cast<size_t>(contract().embedding_size), image);
}

// The answerer checks the digit and the embedding (and fails for a model without one).
Result<size_t> Classifier::learn(const uint8_t* image, int digit) {
  DIGITS_TRY(run(image));
  return answerer_.learn(embedding(), static_cast<size_t>(contract().embedding_size), digit);
}

Result<size_t> Classifier::unlearn(const uint8_t* image, int digit) {
  DIGITS_TRY(run(image));
  return answerer_.unlearn(embedding(), static_cast<size_t>(contract().embedding_size), digit);
}

}  // namespace digits
