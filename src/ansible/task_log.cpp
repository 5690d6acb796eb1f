#include <mcm/ansible/task_log.hpp>

#include <fstream>

namespace mcm::ansible {

std::filesystem::path task_log_path(const std::filesystem::path& dir, const std::string& ns,
                                    const std::string& task) {
  return dir / ns / (task + ".log");
}

LogChunk read_task_log(const std::filesystem::path& file, std::uint64_t offset,
                       std::size_t max_bytes) {
  LogChunk chunk;
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) {
    return chunk;
  }
  chunk.size = static_cast<std::uint64_t>(in.tellg());
  if (offset >= chunk.size) {
    return chunk;
  }
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size - offset, max_bytes));
  chunk.text.resize(want);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(chunk.text.data(), static_cast<std::streamsize>(want));
  chunk.text.resize(static_cast<std::size_t>(in.gcount()));
  return chunk;
}

}  // namespace mcm::ansible
