#include <mcm/core/io_threads.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <thread>

namespace mcm {

namespace net = boost::asio;

struct IoThreads::Loop {
  // Concurrency hint 1: one thread runs this context, which lets Asio skip some locking.
  net::io_context io{1};
  // Keeps run() going while the loop has nothing to do.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work{
      net::make_work_guard(io)};
  std::thread thread;
};

IoThreads::IoThreads(std::size_t count) {
  loops_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto& loop = *loops_.emplace_back(std::make_unique<Loop>());
    loop.thread = std::thread([&io = loop.io] { io.run(); });
  }
}

IoThreads::~IoThreads() {
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io.stop();
  }
  for (auto& loop : loops_) {
    loop->thread.join();
  }
}

std::vector<net::any_io_executor> IoThreads::executors() const {
  std::vector<net::any_io_executor> out;
  out.reserve(loops_.size());
  for (const auto& loop : loops_) {
    out.emplace_back(loop->io.get_executor());
  }
  return out;
}

}  // namespace mcm
