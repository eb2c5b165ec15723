#include "api/stdcopy.hpp"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

TEST(StdCopy, EncodesDockersHeader) {
  EXPECT_EQ(frame(StdStream::Stdout, "out\n"), std::string("\x01\0\0\0\0\0\0\x04out\n", 12));
  auto big = frame(StdStream::Stderr, std::string(0x10203, 'x'));
  EXPECT_EQ(big.substr(0, 8), std::string("\x02\0\0\0\0\x01\x02\x03", 8));
  EXPECT_EQ(big.size(), 8u + 0x10203);
}

TEST(StdCopy, DecodesFramesSplitAnywhere) {
  std::string wire = frame(StdStream::Stdout, "hello ") + frame(StdStream::Stderr, "oops") +
                     frame(StdStream::Stdout, "");
  for (size_t step = 1; step <= wire.size(); ++step) {
    FrameDecoder decoder;
    std::string out, err;
    size_t frames = 0;
    for (size_t i = 0; i < wire.size(); i += step) {
      auto got = decoder.feed(std::string_view(wire).substr(i, step));
      ASSERT_TRUE(got);
      for (auto& f : *got) {
        ++frames;
        (f.stream == StdStream::Stdout ? out : err) += f.data;
      }
    }
    EXPECT_EQ(out, "hello ");
    EXPECT_EQ(err, "oops");
    EXPECT_EQ(frames, 3u);
    EXPECT_TRUE(decoder.idle());
  }
}

TEST(StdCopy, HijackContentTypeFollowsVersionAndTty) {
  EXPECT_EQ(hijack_content_type("1.44", false), "application/vnd.docker.multiplexed-stream");
  EXPECT_EQ(hijack_content_type("1.44", true), "application/vnd.docker.raw-stream");
  EXPECT_EQ(hijack_content_type("1.41", false), "application/vnd.docker.raw-stream");
}

TEST(StdCopy, RejectsUnknownStreamsAndHugeFrames) {
  FrameDecoder decoder;
  EXPECT_FALSE(decoder.feed(std::string("\x07\0\0\0\0\0\0\x01x", 9)));
  FrameDecoder small(16);
  EXPECT_FALSE(small.feed(std::string("\x01\0\0\0\0\0\0\x20", 8)));
  FrameDecoder partial;
  ASSERT_TRUE(partial.feed(std::string("\x01\0\0", 3)));
  EXPECT_FALSE(partial.idle());
}

}  // namespace
}  // namespace berth::api
