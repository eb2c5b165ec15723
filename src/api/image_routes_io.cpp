// Image endpoints that move tar streams: POST /images/load, GET
// /images/get and /images/{name}/get, POST /images/create?fromSrc=-.
// The engine reads and writes plain fds on the blocking pool; a pipe
// joins them to the connection, so an archive is never staged in memory
// or on disk: the request body is pumped into the pipe while the engine
// consumes it, and the engine's output is pumped out as chunks.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "api/docker_api.hpp"
#include "api/exchange.hpp"
#include "api/progress.hpp"
#include "api/registry_routes.hpp"
#include "base/unique_fd.hpp"

namespace berth::api {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kChunk = 256 * 1024;

struct Pipe {
  std::shared_ptr<UniqueFd> read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error("pipe2");
  // A bigger pipe means fewer wake-ups per megabyte (best effort).
  ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
  return Pipe{std::make_shared<UniqueFd>(fds[0]), std::make_shared<UniqueFd>(fds[1])};
}

// Copies the request body into `fd`, then closes it (EOF for the reader).
Task<Result<>> pump_body(Exchange& ex, int fd) {
  asio::posix::stream_descriptor out(co_await asio::this_coro::executor, fd);
  std::string chunk(kChunk, '\0');
  Result<> result = ok();
  while (!ex.body_done()) {
    auto n = co_await ex.read_body_some(chunk.data(), chunk.size());
    if (!n) {
      result = tl::unexpected(n.error());
      break;
    }
    if (*n == 0) break;
    auto [ec, written] = co_await asio::async_write(out, asio::buffer(chunk.data(), *n), kTuple);
    if (ec) {  // the engine stopped reading; its result says why
      result = make_error(ErrorCategory::Internal, "write to engine: " + ec.message());
      break;
    }
  }
  boost::system::error_code ignored;
  out.close(ignored);
  co_return result;
}

// Runs `consume(fd)` on the blocking pool while the body streams into fd.
// `consume` must be trivially copyable (see create()).
template <typename F>
Task<decltype(std::declval<F>()(0))> consume_body(Exchange& ex, F consume) {
  static_assert(std::is_trivially_copyable_v<F>);
  using R = decltype(std::declval<F>()(0));
  auto pipe = make_pipe();
  if (!pipe) co_return tl::unexpected(pipe.error());
  int write_fd = pipe->write->release();  // owned by pump_body's descriptor
  auto reader = pipe->read;
  auto job = ex.run_blocking([&reader, &consume]() -> R {
    R r = consume(reader->get());
    reader->reset();  // a producer still writing gets EPIPE, not a hang
    return r;
  });
  auto [result, pumped] = co_await (std::move(job) && pump_body(ex, write_fd));
  if (result && !pumped) co_return tl::unexpected(pumped.error());
  co_return result;
}

Task<Result<>> load(Exchange& ex, engine::ImageService& images) {
  auto loaded = co_await consume_body(ex, [&images](int fd) { return images.load(fd); });
  if (!loaded) co_return tl::unexpected(loaded.error());
  std::string out;
  for (const auto& t : loaded->tags) out += progress::stream("Loaded image: " + t + "\n");
  for (const auto& id : loaded->untagged_ids) out += progress::stream("Loaded image ID: " + id + "\n");
  co_return co_await ex.respond(http::status::ok, std::move(out), "application/json");
}

// Streams what the engine writes into the pipe as response chunks.
Task<Result<>> pump_output(Exchange& ex, int fd) {
  asio::posix::stream_descriptor in(co_await asio::this_coro::executor, fd);
  std::string chunk(kChunk, '\0');
  Result<> result = ok();
  while (true) {
    auto [ec, n] = co_await in.async_read_some(asio::buffer(chunk), kTuple);
    if (n > 0) {
      auto w = co_await ex.write(std::string_view(chunk.data(), n));
      if (!w) {
        result = tl::unexpected(w.error());
        break;
      }
    }
    if (ec) break;  // EOF: the engine is done
  }
  boost::system::error_code ignored;
  in.close(ignored);
  co_return result;
}

Task<Result<>> save(Exchange& ex, engine::ImageService& images, std::vector<std::string> names) {
  auto checked = co_await ex.run_blocking([&] { return images.check_names(names); });
  if (!checked) co_return tl::unexpected(checked.error());
  auto pipe = make_pipe();
  if (!pipe) co_return tl::unexpected(pipe.error());
  auto begun = co_await ex.begin_stream(http::status::ok, "application/x-tar");
  if (!begun) co_return begun;
  int read_fd = pipe->read->release();
  auto writer = pipe->write;
  auto job = ex.run_blocking([&writer, &images, &names]() -> Result<> {
    auto r = images.save(names, writer->get());
    writer->reset();  // EOF for pump_output
    return r;
  });
  auto [saved, pumped] = co_await (std::move(job) && pump_output(ex, read_fd));
  // Past the headers an error can only cut the stream short (as dockerd).
  if (!saved) co_return tl::unexpected(saved.error());
  if (!pumped) co_return tl::unexpected(pumped.error());
  co_return co_await ex.end_stream();
}

Task<Result<>> save_many(Exchange& ex, engine::ImageService& images) {
  co_return co_await save(ex, images, ex.query().get_all("names"));
}

Task<Result<>> save_one(Exchange& ex, engine::ImageService& images) {
  std::vector<std::string> names;
  names.push_back(ex.param("name"));
  co_return co_await save(ex, images, std::move(names));
}

// POST /images/create: a pull (fromImage, registry_routes.cpp) or an
// import from the body (fromSrc=-).
Task<Result<>> create(Exchange& ex, engine::ImageService& images) {
  const auto& q = ex.query();
  auto src = q.get_or("fromSrc", "");
  if (src.empty() && !q.get_or("fromImage", "").empty()) co_return co_await pull_image(ex, images);
  if (src.empty()) co_return make_error(ErrorCategory::InvalidArgument, "fromImage or fromSrc is required");
  if (src != "-")
    co_return make_error(ErrorCategory::InvalidArgument, "importing from a URL is not supported; send the tar as the body (fromSrc=-)");
  engine::ImageImportRequest request;
  auto repo = q.get_or("repo", "");
  auto tag = q.get_or("tag", "");
  request.reference = repo.empty() || tag.empty() ? repo : repo + ":" + tag;
  request.changes = q.get_all("changes");
  request.message = q.get_or("message", "");
  // By reference: GCC 12 destroys a coroutine's by-value lambda argument
  // twice when it owns memory, so the consumer captures only references
  // (request lives in this frame until consume_body is done).
  const auto* req = &request;
  auto id = co_await consume_body(ex, [&images, req](int fd) { return images.import(fd, *req); });
  if (!id) co_return tl::unexpected(id.error());
  co_return co_await ex.respond(http::status::ok, progress::status(*id), "application/json");
}

}  // namespace

Result<> add_image_io_routes(Router& router, engine::ImageService& images) {
  auto* svc = &images;
  auto bind = [svc](Task<Result<>> (*fn)(Exchange&, engine::ImageService&)) {
    return [svc, fn](Exchange& ex) { return fn(ex, *svc); };
  };
  TRY(router.add("POST", "/images/load", bind(load)));
  TRY(router.add("GET", "/images/get", bind(save_many)));
  TRY(router.add("GET", "/images/{name*}/get", bind(save_one)));
  TRY(router.add("POST", "/images/create", bind(create)));
  TRY(add_registry_routes(router, images));
  return ok();
}

}  // namespace berth::api
