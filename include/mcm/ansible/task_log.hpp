#pragma once
// A Task's full output: one file per Task, <dir>/<namespace>/<task>.log, appended to by the
// task runner while ansible-playbook runs and read by the gateway at any byte offset (the
// offset is what a reconnecting log stream resumes from). The directory is shared by the two
// processes (a volume in the gateway's pod). Task names are DNS subdomains, safe as file names.

#include <cstdint>
#include <filesystem>
#include <string>

namespace mcm::ansible {

std::filesystem::path task_log_path(const std::filesystem::path& dir, const std::string& ns,
                                    const std::string& task);

struct LogChunk {
  std::string text;        // the bytes from `offset`, at most `max_bytes`
  std::uint64_t size = 0;  // the file's size when read (0 when there is no file yet)
};

// Reads from `offset`; an offset past the end reads nothing.
LogChunk read_task_log(const std::filesystem::path& file, std::uint64_t offset,
                       std::size_t max_bytes);

}  // namespace mcm::ansible
