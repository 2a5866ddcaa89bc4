// Feedback its prediction has not taken: when the transaction that applies a group's
// feedback fails after the group committed (the records are safe), or the server stops
// between the two, the feedback waits in its table. After every start a walk through the
// feedback table applies it, a slice of ids per statement on a thread of its own, so the
// server answers at once however many drawings the database holds.
#pragma once

#include <string>

#include "background_job.h"

namespace digits::server {

class FeedbackCatchUp {
 public:
  explicit FeedbackCatchUp(std::string connection_string);
  void start() { job_.start(); }
  void stop() { job_.stop(); }

 private:
  void walk(const BackgroundJob& job);

  const std::string connection_string_;
  BackgroundJob job_;  // last: stopped before the rest goes
};

}  // namespace digits::server
