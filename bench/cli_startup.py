"""Start-up cost of the CLI itself: `berth version` vs `docker version`
against the same daemon (berthd, and Debian's dockerd when present). Each
run is a fresh process doing HEAD /_ping + GET /version, so the daemon's
share is identical and the difference is the client. Target: ratio <= 1.0."""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from daemons import REPO, Berthd, Dockerd  # noqa: E402


def berth_binary():
    """The release build when there is one (what users run), else debug."""
    for build in (os.environ.get("BERTH_BUILD_DIR"), os.path.join(REPO, "build", "release"),
                  os.path.join(REPO, "build", "debug")):
        if build and os.path.exists(os.path.join(build, "apps", "berth", "berth")):
            return os.path.join(build, "apps", "berth", "berth")
    raise SystemExit("berth is not built (cmake --preset release && cmake --build --preset release)")


def contenders(host):
    env = dict(os.environ, DOCKER_HOST=host)
    berth = benchlib.Contender("berth", [("version", benchlib.sh(berth_binary(), "version", env=env))])
    docker = benchlib.Contender("docker", [("version", benchlib.sh("docker", "version", env=env))])
    return berth, docker


def main():
    daemons = [Berthd]
    if shutil.which("dockerd"):
        daemons.append(Dockerd)
    for cls in daemons:
        d = cls().start()
        try:
            berth, docker = contenders(d.host)
            benchlib.compare("cli_startup_" + d.name, berth, docker, iterations=40, warmup=3,
                             target_ratio=1.0,
                             notes="fresh CLI process per run: HEAD /_ping + GET /version against " + d.name
                                   + "; berth binary " + berth_binary())
        finally:
            d.stop()


if __name__ == "__main__":
    main()
