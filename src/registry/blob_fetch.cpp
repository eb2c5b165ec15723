// Concurrent blob downloads with one libcurl multi handle. Each job owns a
// BlobWriter for its whole life, so a transfer that breaks part way is
// resumed with a Range request and the hash simply continues; a server
// that ignores the Range (200 instead of 206) restarts the blob.
#include <chrono>
#include <deque>
#include <thread>

#include "registry/client.hpp"

namespace berth::registry {

namespace {

using Clock = std::chrono::steady_clock;

struct Job {
  const BlobFetch* fetch = nullptr;
  std::optional<image::BlobWriter> writer;
  std::unique_ptr<Transfer> transfer;
  int attempts = 0;
  bool first_chunk = true;
  bool refreshed = false;
  Clock::time_point not_before{};
};

// Removes whatever is still attached before the multi handle goes away.
struct Multi {
  CURLM* handle = curl_multi_init();
  std::vector<Job*> active;
  ~Multi() {
    for (auto* j : active) curl_multi_remove_handle(handle, j->transfer->handle());
    curl_multi_cleanup(handle);
  }
  void detach(Job* j) {
    curl_multi_remove_handle(handle, j->transfer->handle());
    std::erase(active, j);
  }
};

Result<> write_chunk(Job& job, image::ContentStore& content, const char* data, size_t size) {
  if (job.first_chunk) {
    job.first_chunk = false;
    long status = 0;
    curl_easy_getinfo(job.transfer->handle(), CURLINFO_RESPONSE_CODE, &status);
    if (status != 206 && job.writer->written() > 0) job.writer.emplace(TRY(content.writer()));
  }
  if (job.writer->written() + static_cast<int64_t>(size) > job.fetch->desc.size)
    return make_error(ErrorCategory::InvalidArgument,
                      "blob " + job.fetch->desc.digest + " is larger than its descriptor (" +
                          std::to_string(job.fetch->desc.size) + " bytes)");
  TRY(job.writer->write(data, size));
  if (job.fetch->on_progress) job.fetch->on_progress(job.writer->written());
  return ok();
}

}  // namespace

Result<> Client::fetch_blobs(const std::string& repo, const std::vector<BlobFetch>& fetches,
                             image::ContentStore& content,
                             const std::function<Result<>(const image::BlobInfo&)>& before_link) {
  std::vector<Job> jobs(fetches.size());
  std::deque<Job*> pending;
  for (size_t i = 0; i < fetches.size(); ++i) {
    jobs[i].fetch = &fetches[i];
    jobs[i].writer.emplace(TRY(content.writer()));
    pending.push_back(&jobs[i]);
  }
  std::string scope = pull_scope(repo);
  std::string auth = TRY(auth_header(scope));
  Multi multi;
  size_t done = 0;
  int max_active = std::max(1, options_.max_concurrent_downloads);

  auto start = [&](Job* j) {
    auto req = base_request("GET", "/v2/" + repo + "/blobs/" + j->fetch->desc.digest);
    if (!auth.empty()) req.headers.push_back(auth);
    if (j->writer->written() > 0)
      req.headers.push_back("Range: bytes=" + std::to_string(j->writer->written()) + "-");
    j->first_chunk = true;
    req.sink = [j, &content](const char* d, size_t n) { return write_chunk(*j, content, d, n); };
    j->transfer = std::make_unique<Transfer>(std::move(req));
    curl_multi_add_handle(multi.handle, j->transfer->handle());
    multi.active.push_back(j);
  };
  auto retry = [&](Job* j, const Error& why) -> Result<> {
    if (++j->attempts >= options_.max_attempts) return tl::unexpected(Error(why).wrap("download " + j->fetch->desc.digest));
    j->not_before = Clock::now() + std::chrono::milliseconds(options_.backoff_ms << (j->attempts - 1));
    pending.push_back(j);
    return ok();
  };
  auto finished = [&](Job* j, CURLcode code) -> Result<> {
    const auto& desc = j->fetch->desc;
    auto r = j->transfer->finish(code);
    const Request& req = j->transfer->request();
    if (!r) return r.error().is(ErrorCategory::Unavailable) ? retry(j, r.error()) : tl::unexpected(r.error());
    if (r->status == 401 && !j->refreshed) {
      j->refreshed = true;
      auth = TRY(auth_header(scope, true));
      pending.push_front(j);
      return ok();
    }
    if (r->status == 416) j->writer.emplace(TRY(content.writer()));
    if (r->status == 416 || r->status == 429 || r->status >= 500) return retry(j, response_error(*r, req));
    if (r->status != 200 && r->status != 206) return tl::unexpected(response_error(*r, req));
    if (j->writer->written() < desc.size)  // the connection closed early
      return retry(j, Error(ErrorCategory::Unavailable, "short read"));
    if (j->fetch->on_downloaded) j->fetch->on_downloaded();
    TRY_CTX(j->writer->commit(desc.digest, before_link),
            "filesystem layer verification failed for digest " + desc.digest);
    if (j->fetch->on_verified) j->fetch->on_verified();
    ++done;
    return ok();
  };

  while (done < jobs.size()) {
    auto now = Clock::now();
    for (size_t k = pending.size(); k > 0 && static_cast<int>(multi.active.size()) < max_active; --k) {
      Job* j = pending.front();
      pending.pop_front();
      if (j->not_before <= now) start(j);
      else pending.push_back(j);
    }
    if (multi.active.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    int running = 0;
    curl_multi_perform(multi.handle, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.handle, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Job* j = nullptr;
      for (auto* a : multi.active)
        if (a->transfer->handle() == msg->easy_handle) j = a;
      if (!j) continue;
      CURLcode code = msg->data.result;
      multi.detach(j);
      TRY(finished(j, code));
    }
    if (running > 0) curl_multi_poll(multi.handle, nullptr, 0, 100, nullptr);
  }
  return ok();
}

}  // namespace berth::registry
