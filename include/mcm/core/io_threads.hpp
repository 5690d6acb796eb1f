#pragma once
// mcm::IoThreads: `count` io_contexts, each run by a thread of its own for as long as the object
// lives. A server spreads its connections over them, and each connection stays on one thread, so
// the hot path takes no strand and no lock (see http::Server).
//
//   IoThreads serving(1);
//   http::Server server(loop.get_executor(), options, router, serving.executors());
//   ... drain the server, then let `serving` go
//
// Destroying stops the loops and joins the threads; handlers still queued are destroyed without
// running, so whatever runs there (a server's connections) should be drained first.

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace mcm {

class IoThreads {
 public:
  explicit IoThreads(std::size_t count);
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  // One executor per thread; each is single-threaded, so what runs on one runs in sequence.
  [[nodiscard]] std::vector<boost::asio::any_io_executor> executors() const;

 private:
  struct Loop;
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace mcm
