"""berth's command list, help texts and bash completion against the docker
CLI's: every docker command and flag exists in berth unless it is listed
below as not supported, with the reason. No daemon is needed."""

import os
import re
import shutil
import subprocess

import pytest

from cli_compare import berth_binary

# Commands berth does not offer, and why.
UNSUPPORTED_COMMANDS = {
    "build": "no builder yet", "image build": "no builder yet", "builder build": "no builder yet",
    "checkpoint": "no CRIU checkpoints", "context": "contexts: -H/BERTH_HOST/DOCKER_HOST instead",
    "manifest": "manifest lists are registry-side", "plugin": "no plugins", "trust": "no content trust",
    "config": "swarm", "node": "swarm", "secret": "swarm", "service": "swarm", "stack": "swarm",
    "swarm": "swarm", "volume update": "cluster volumes only (swarm)",
}
# Flags of supported commands that berth does not offer, and why.
WINDOWS_OR_GONE = {"cpu-count", "cpu-percent", "io-maxbandwidth", "io-maxiops", "kernel-memory",
                   "gpus", "use-api-socket"}
UNSUPPORTED_FLAGS = {
    "run": WINDOWS_OR_GONE, "create": WINDOWS_OR_GONE,
    "container run": WINDOWS_OR_GONE, "container create": WINDOWS_OR_GONE,
    "start": {"checkpoint", "checkpoint-dir"}, "container start": {"checkpoint", "checkpoint-dir"},
    # multi-platform image stores: berthd keeps one platform per image
    "push": {"platform"}, "image push": {"platform"}, "load": {"platform"}, "image load": {"platform"},
    "save": {"platform"}, "image save": {"platform"}, "rmi": {"platform"}, "image rm": {"platform"},
    "image inspect": {"platform"},
    "network connect": {"driver-opt", "gw-priority", "link", "link-local-ip"},
    "network create": {"aux-address", "config-from", "config-only", "ingress", "ipam-driver", "ipam-opt",
                       "ipv4", "scope"},
    "volume create": {"availability", "group", "limit-bytes", "required-bytes", "scope", "secret", "sharing",
                      "topology-preferred", "topology-required", "type"},  # cluster volumes
    "volume ls": {"cluster"},
    "builder prune": {"keep-storage"},
}
GROUPS = ["container", "image", "network", "volume", "system", "builder"]


@pytest.fixture(scope="module")
def berth():
    path = berth_binary()
    if not os.path.exists(path):
        pytest.skip("berth is not built at " + path)
    return path


@pytest.fixture(scope="module")
def docker():
    if not shutil.which("docker"):
        pytest.skip("the docker CLI is not installed")
    return "docker"


def help_text(program, words):
    proc = subprocess.run([program, *words, "--help"], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, DOCKER_HOST="unix:///nonexistent.sock"))
    return proc.returncode, proc.stdout


def commands(program, group=None):
    _, text = help_text(program, [group] if group else [])
    names = []
    for section in re.findall(r"Commands:\n((?:  \S.*\n)+)", text):
        names += [line.split()[0] for line in section.splitlines()]
    return names


def long_flags(text):
    options = text.split("Options:", 1)[1] if "Options:" in text else ""
    return set(re.findall(r"^\s+(?:-\w, )?--([\w-]+)", options, re.M))


# Commands berth has and docker does not.
BERTH_ONLY_COMMANDS = {"image bootstrap"}


def docker_commands(docker):
    top = [c for c in commands(docker) if c not in GROUPS]
    return top + [g + " " + s for g in GROUPS for s in commands(docker, g)]


def test_every_docker_command_exists(berth, docker):
    missing = []
    for name in docker_commands(docker):
        if name in UNSUPPORTED_COMMANDS:
            continue
        rc, text = help_text(berth, name.split())
        if rc != 0 or not text.lstrip().startswith("Usage:  berth " + name):
            missing.append(name)
    assert missing == []


def test_groups_list_what_docker_lists(berth, docker):
    for group in GROUPS:
        want = [c for c in commands(docker, group) if group + " " + c not in UNSUPPORTED_COMMANDS]
        got = [c for c in commands(berth, group) if group + " " + c not in BERTH_ONLY_COMMANDS]
        assert got == want, group
    rc, text = help_text(berth, [])
    assert rc == 0
    for section in ("Common Commands:", "Management Commands:", "Commands:", "Global Options:"):
        assert section in text


def test_every_docker_flag_exists(berth, docker):
    gaps = {}
    for name in docker_commands(docker):
        if name in UNSUPPORTED_COMMANDS:
            continue
        want = long_flags(help_text(docker, name.split())[1])
        got = long_flags(help_text(berth, name.split())[1])
        missing = want - got - UNSUPPORTED_FLAGS.get(name, set())
        if missing:
            gaps[name] = sorted(missing)
    assert gaps == {}


def test_common_commands_have_examples(berth):
    for name in ("run", "exec", "ps", "logs", "images", "pull", "push", "cp", "stats", "update", "commit",
                 "import", "export", "system prune"):
        rc, text = help_text(berth, name.split())
        assert rc == 0 and "\nExamples:\n  berth " in text, name


def completion(berth, script, line):
    """What bash completion offers for `line` (the cursor at its end)."""
    words = line.split(" ")
    program = ("source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_berth\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n"
               % (script, " ".join("'%s'" % w for w in words), len(words) - 1))
    env = dict(os.environ, PATH=os.path.dirname(berth) + ":" + os.environ["PATH"],
               DOCKER_HOST="unix:///nonexistent.sock")
    proc = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_bash_completion(berth, tmp_path):
    script = tmp_path / "berth.bash"
    proc = subprocess.run([berth, "completion", "bash"], capture_output=True, text=True)
    assert proc.returncode == 0
    script.write_text(proc.stdout)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert completion(berth, script, "berth vol") == ["volume"]
    assert completion(berth, script, "berth volume ") == ["create", "inspect", "list", "ls", "prune",
                                                          "remove", "rm"]
    assert "update" in completion(berth, script, "berth up")
    assert completion(berth, script, "berth system p") == ["prune"]
    assert set(completion(berth, script, "berth run --mo")) == {"--mount"}
    assert "--health-cmd" in completion(berth, script, "berth create --health-")
    assert completion(berth, script, "berth history --no") == ["--no-trunc"]
    # The build writes the same script next to the binary for installation.
    installed = os.path.join(os.path.dirname(berth), "berth.bash-completion")
    if os.path.exists(installed):
        with open(installed) as f:
            assert f.read() == proc.stdout


def options(text):
    """{flag: (value type, default or None)} from a help's Options block,
    continuation lines joined."""
    block = text.split("Options:\n", 1)[1] if "Options:\n" in text else ""
    flags, current = {}, None
    for line in block.splitlines():
        m = re.match(r"^  (?:-\w, |    )--([\w-]+)( [\w.-]+)?\s{2,}(.*)$", line)
        if m:
            current = m.group(1)
            flags[current] = [(m.group(2) or "").strip(), m.group(3)]
        elif current and line.startswith("      "):
            flags[current][1] += " " + line.strip()
        else:
            break
    out = {}
    for name, (kind, desc) in flags.items():
        default = re.search(r"\(default (.*)\)$", desc)
        out[name] = (kind, default.group(1) if default else None)
    return out


def head(program, text):
    """Usage line and aliases with the program's name taken out."""
    usage = text.splitlines()[0].replace(program, "X")
    aliases = re.search(r"\nAliases:\n  (.*)\n", text)
    return usage, aliases.group(1).replace(program, "X") if aliases else None


def test_help_layout_like_docker(berth, docker):
    """Each command's help starts with docker's Usage line, lists the same
    aliases in docker's order, and each flag both have shows the same value
    type and default."""
    gaps = []
    for name in docker_commands(docker):
        if name in UNSUPPORTED_COMMANDS:
            continue
        want = help_text(docker, name.split())[1]
        rc, got = help_text(berth, name.split())
        assert rc == 0, name
        if head("docker", want) != head("berth", got):
            gaps.append((name, head("docker", want), head("berth", got)))
        d, b = options(want), options(got)
        for flag in sorted(set(d) & set(b)):
            if d[flag] != b[flag]:
                gaps.append((name, flag, d[flag], b[flag]))
    assert gaps == [], "\n".join(map(str, gaps))


def berth_commands(berth):
    top = [c for c in commands(berth) if c not in GROUPS]
    return top + [g + " " + s for g in GROUPS for s in commands(berth, g)]


def test_every_command_help_is_complete(berth):
    """Every command berth lists: Usage, a description, and an Options block
    whose lines stay in 79 columns (the unit test cli_unit_tests checks
    that each flag of the command table is in it)."""
    for name in berth_commands(berth):
        rc, text = help_text(berth, name.split())
        assert rc == 0, name
        lines = [line for line in text.splitlines() if not line.startswith("\t")]  # cp's 2nd usage
        assert lines[0].startswith("Usage:  berth " + name), name
        assert lines[1] == "" and lines[2].strip(), name  # the description
        assert all(len(line) <= 79 for line in text.split("Options:\n", 1)[-1].split("\nExamples:")[0]
                   .splitlines()), name


def test_completion_matches_the_command_table(berth, tmp_path):
    """The completion script is generated from the command table: every
    command and group word completes, and `berth CMD --` offers exactly the
    flags its help lists (plus --help)."""
    script = tmp_path / "berth.bash"
    script.write_text(subprocess.run([berth, "completion", "bash"], capture_output=True, text=True).stdout)
    top = completion(berth, script, "berth ")
    for name in commands(berth):
        assert name in top, name
    for name in berth_commands(berth):
        words = name.split()
        if len(words) == 2:
            assert words[1] in completion(berth, script, "berth %s " % words[0]), name
        want = {"--" + f for f in options(help_text(berth, words)[1])} | {"--help"}
        got = set(completion(berth, script, "berth %s --" % name))
        assert got == want, name
