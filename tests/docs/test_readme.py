"""README's "Using khorgos" block runs as written on a fresh clone: the block
is extracted from README.md and run by bash -e in an empty directory that has
only what a clone has (scenarios/, calibration/, python/, as links) and the
binary at build/release/app/khorgos; every file it names must then exist."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
BINARY = os.environ["KHORGOS_BINARY"]


def block(readme, heading):
    text = readme.split(heading, 1)[1]
    return re.search(r"```sh\n(.*?)```", text, re.S)[1]


def main():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        commands = block(f.read(), "## Using khorgos")
    work = tempfile.mkdtemp(prefix="khorgos-readme-")
    try:
        for name in ("scenarios", "calibration", "python"):
            os.symlink(os.path.join(SOURCE, name), os.path.join(work, name))
        os.makedirs(os.path.join(work, "build", "release", "app"))
        os.symlink(BINARY, os.path.join(work, "build", "release", "app", "khorgos"))
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        env.pop("PYTHONPATH", None)  # the block sets it itself
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=work, env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(commands, done.stdout[-2000:], done.stderr[-4000:], sep="\n")
            return 1
        expected = re.findall(r"(out/[\w./-]+)", commands)
        missing = [p for p in expected if not os.path.exists(os.path.join(work, p))]
        if missing:
            print("README's block did not make:", missing)
            return 1
        print(f"README: {len(commands.splitlines())} lines ran, {len(expected)} files made")
        return 0
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
