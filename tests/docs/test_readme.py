"""The examples of README and docs/ run as written on a fresh clone.

  test_readme.py readme   README's "Using khorgos" block, run by bash -e
  test_readme.py docs     every fenced block of docs/*.md, in order

Each runs in an empty directory that has only what a clone has (copies of
scenarios/, calibration/, python/, scripts/) and the binary at build/release/app/khorgos
(and as `khorgos` on PATH, as the docs write it); every out/ file a shell
block names must then exist.

In docs/, a block runs by its language: `sh` by bash -euo pipefail, `python`
by /usr/bin/python3, `toml` by `khorgos check` once written where its marker
says. A block that does not run as it stands says why in an HTML comment on
the line before its fence, which the test prints:

  <!-- example: skip: REASON -->      printed output, a synopsis, another machine
  <!-- example: slow: REASON -->      runs only with KHORGOS_SLOW_EXAMPLES=1
  <!-- example: after: COMMAND -->    COMMAND (bash) first: what the text assumes exists
  <!-- example: check as PATH -->     a TOML file, written to PATH and checked
  <!-- example: needs PROGRAM -->     runs where PROGRAM is installed (scripts/setup
                                      does not install it), else listed as not run

A block without a marker in another language, or none, fails the test: each
example either runs or says why not."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
BINARY = os.environ["KHORGOS_BINARY"]
SLOW = os.environ.get("KHORGOS_SLOW_EXAMPLES") == "1"
FENCE = re.compile(r"^(?:<!-- example: (?P<marker>.*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)^```$",
                   re.S | re.M)


def block(readme, heading):
    text = readme.split(heading, 1)[1]
    return re.search(r"```sh\n(.*?)```", text, re.S)[1]


def clone():
    """A directory like a fresh clone with the binary built. The checkout's
    directories are copies, not links: an example may write into them (the
    Saltelli example copies its table into scenarios/batches/), and the test
    must never change the checkout."""
    work = tempfile.mkdtemp(prefix="khorgos-examples-")
    for name in ("scenarios", "calibration", "python", "scripts"):
        shutil.copytree(os.path.join(SOURCE, name), os.path.join(work, name),
                        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    os.makedirs(os.path.join(work, "build", "release", "app"))
    os.symlink(BINARY, os.path.join(work, "build", "release", "app", "khorgos"))
    os.makedirs(os.path.join(work, "bin"))
    os.symlink(BINARY, os.path.join(work, "bin", "khorgos"))
    return work


def environment(work):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
               PATH=os.path.join(work, "bin") + os.pathsep + os.environ["PATH"])
    env.pop("PYTHONPATH", None)  # the examples set it themselves
    return env


def run(command, work, what):
    done = subprocess.run(command, cwd=work, env=environment(work), capture_output=True,
                          text=True)
    if done.returncode != 0:
        print(f"{what} failed (exit {done.returncode}):", " ".join(command[-1:])[:3000],
              done.stdout[-2000:], done.stderr[-4000:], sep="\n")
        return False
    return True


def missing_outputs(work, text):
    return [p for p in re.findall(r"(out/[\w./-]*\w)", text)
            if not os.path.exists(os.path.join(work, p))]


def readme():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        commands = block(f.read(), "## Using khorgos")
    work = clone()
    try:
        if not run(["bash", "-euo", "pipefail", "-c", commands], work, "README's block"):
            return 1
        missing = missing_outputs(work, commands)
        if missing:
            print("README's block did not make:", missing)
            return 1
        print(f"README: {len(commands.splitlines())} lines ran, "
              f"{len(re.findall(r'out/', commands))} files made")
        return 0
    finally:
        shutil.rmtree(work)


def docs():
    failures, ran, not_run = 0, 0, []
    for name in sorted(os.listdir(os.path.join(SOURCE, "docs"))):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(SOURCE, "docs", name), encoding="utf-8") as f:
            text = f.read()
        work = clone()
        try:
            for match in FENCE.finditer(text):
                line = text[:match.start("lang")].count("\n") + 1
                where = f"docs/{name}:{line}"
                marker, lang, body = match["marker"] or "", match["lang"], match["body"]
                kind, _, argument = marker.partition(":")
                kind, argument = kind.strip(), argument.strip()
                if kind.startswith("check as "):
                    kind, argument = "check", kind[len("check as "):]
                if kind.startswith("needs "):
                    program = kind[len("needs "):]
                    if not shutil.which(program):
                        not_run.append(f"{where} (needs): {program} is not installed")
                        continue
                    kind = ""
                if kind == "skip" or (kind == "slow" and not SLOW):
                    not_run.append(f"{where} ({kind}): {argument}")
                    continue
                if kind == "after" and not run(["bash", "-euo", "pipefail", "-c", argument], work,
                                               f"{where} (setup)"):
                    failures += 1
                    continue
                if kind == "check":
                    with open(os.path.join(work, argument), "w", encoding="utf-8") as f:
                        f.write(body)
                    command = ["khorgos", "check", argument]
                elif lang == "sh" and kind in ("", "after", "slow"):
                    command = ["bash", "-euo", "pipefail", "-c", body]
                elif lang == "python" and kind in ("", "after", "slow"):
                    command = ["/usr/bin/python3", "-c", body]
                else:
                    print(f"{where}: a ```{lang} block without a marker saying how it runs "
                          "or why it does not (tests/docs/test_readme.py)")
                    failures += 1
                    continue
                ran += 1
                if not run(command, work, where):
                    failures += 1
                    continue
                missing = missing_outputs(work, body) if lang == "sh" else []
                if missing:
                    print(f"{where} did not make:", missing)
                    failures += 1
        finally:
            shutil.rmtree(work)
    print(f"docs/: {ran} examples ran, {failures} failed; not run ({len(not_run)}):")
    for line in not_run:
        print("  " + line)
    return 1 if failures or not ran else 0


if __name__ == "__main__":
    sys.exit({"readme": readme, "docs": docs}[sys.argv[1] if len(sys.argv) > 1 else "readme"]())
