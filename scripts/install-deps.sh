#!/usr/bin/env bash
# Installs exactly the Debian 12 packages berth's build, tests and benchmarks
# need. Idempotent: a second run only checks. Needs root.
set -euo pipefail

build_pkgs=(
  cmake ninja-build pkg-config g++ clang-14 clang-format clang-tidy lld-14 lld
  libclang-rt-14-dev git ccache
  libexpected-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev libarchive-dev libzstd-dev libisal-dev libsqlite3-dev
  libtomlplusplus-dev libyaml-cpp-dev libseccomp-dev libcap-dev
  libnl-3-dev libnl-route-3-dev libmnl-dev libnftables-dev
  libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  busybox-static debootstrap python3-pytest python3-docker docker.io runc
  skopeo docker-registry bats iproute2 nftables jq procps psmisc util-linux
  btrfs-progs e2fsprogs hyperfine strace umoci podman conmon
)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#build_pkgs[@]}+${#test_pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps package scripts from starting services (dockerd, registry)
# on install: tests start their own instances with their own flags.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
