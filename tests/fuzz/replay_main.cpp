// Runs a fuzz target over every file of a corpus directory (or the files
// given), so each CI run replays the corpora without libFuzzer. A crash or
// sanitizer report fails the test.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void replay_file(const std::string& path, int& count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ++count;
}

void replay(const std::string& path, int& count) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) return replay_file(path, count);
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return;
  while (auto* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") replay(path + "/" + name, count);
  }
  ::closedir(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int count = 0;
  LLVMFuzzerTestOneInput(nullptr, 0);  // the empty input is always a case
  for (int i = 1; i < argc; ++i) replay(argv[i], count);
  std::printf("replayed %d inputs\n", count);
  return 0;
}
