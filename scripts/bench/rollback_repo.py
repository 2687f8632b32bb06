#!/usr/bin/env python3
"""Helper of scripts/bench-rollback.sh: generate the rollback benchmark repository.

  rollback_repo.py OUT [FILES]

Writes a git repository at OUT (removed first) with FILES tracked files (default 20,000): a
Python backend, an npm frontend, a docs tree and binary assets, released three times with
annotated tags and a Keep a Changelog file: v1.0.0, v1.1.0 (good) and v1.2.0 (bad). Each
release changes a few hundred files (edits, additions, deletions, renames, an executable bit,
a symbolic link), the way a real release does. Same bytes on every run (seeded), pinned dates.
"""
import os
import random
import shutil
import subprocess
import sys

OUT = sys.argv[1]
FILES = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
rng = random.Random(20261201)
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
           GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")
clock = [1767225600]


def git(*args, stdin=None):
    clock[0] += 3600
    env = dict(ENV, GIT_AUTHOR_DATE="%d +0000" % clock[0], GIT_COMMITTER_DATE="%d +0000" % clock[0])
    subprocess.run(["git", *args], cwd=OUT, env=env, check=True, input=stdin, stdout=subprocess.DEVNULL)


def write(rel, text):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def body(kind, n, salt=0):
    words = ["price", "lot", "estimate", "bid", "margin", "vendor", "unit", "batch"]
    lines = []
    for i in range(8 + n % 40):
        w = words[(n + i + salt) % len(words)]
        if kind == "py":
            lines.append("def %s_%d_%d(x):\n    return x * %d + %d\n" % (w, n, i, i + 1, salt))
        elif kind == "js":
            lines.append("export function %s%d_%d(x) { return x * %d + %d; }\n" % (w, n, i, i + 1, salt))
        else:
            lines.append("The %s of item %d, section %d, revision %d.\n\n" % (w, n, i, salt))
    return "".join(lines)


def layout():
    """Every generated path with its kind."""
    paths = []
    third = FILES // 3
    for n in range(third):
        paths.append(("backend/lotgenius/m%02d/mod_%05d.py" % (n % 97, n), "py", n))
    for n in range(third):
        paths.append(("frontend/src/c%02d/Comp%05d.js" % (n % 89, n), "js", n))
    rest = FILES - 2 * third - 12
    for n in range(rest):
        if n % 10 == 0:
            paths.append(("assets/img%02d/pic_%05d.bin" % (n % 13, n), "bin", n))
        else:
            paths.append(("docs/d%02d/page_%05d.md" % (n % 71, n), "md", n))
    return paths


def content(kind, n, salt):
    if kind == "bin":
        r = random.Random(n * 7919 + salt)
        return bytes(r.randrange(256) for _ in range(64 + n % 512))
    return body(kind, n, salt)


def set_version(version, pep440):
    write("backend/pyproject.toml",
          '[project]\nname = "lotgenius"\nversion = "%s"\ndependencies = []\n\n'
          '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n' % pep440)
    write("backend/lotgenius/__init__.py", '"""Lot Genius."""\n\n__version__ = "%s"\n' % pep440)
    write("frontend/package.json",
          '{\n  "name": "lot-genius-web",\n  "version": "%s",\n  "private": true\n}\n' % version)
    write("frontend/package-lock.json",
          '{\n  "name": "lot-genius-web",\n  "version": "%s",\n  "lockfileVersion": 3,\n'
          '  "requires": true,\n  "packages": {\n    "": {\n      "name": "lot-genius-web",\n'
          '      "version": "%s"\n    }\n  }\n}\n' % (version, version))


def changelog(releases):
    text = "# Changelog\n\n## [Unreleased]\n\n"
    for version, notes in reversed(releases):
        text += "## [%s] - 2026-01-01\n\n### Fixed\n\n- %s\n\n" % (version, notes)
    write("CHANGELOG.md", text)


def release(version, releases, notes):
    releases.append((version, notes))
    set_version(version, version)
    changelog(releases)
    git("add", "-A")
    git("commit", "-q", "-m", "chore(release): v%s" % version)
    git("tag", "-a", "v%s" % version, "-m", "v%s\n\n%s" % (version, notes))


def churn(paths, salt, edits, adds, deletes, renames):
    live = [p for p in paths if os.path.exists(os.path.join(OUT, p[0]))]
    rng.shuffle(live)
    for rel, kind, n in live[:edits]:
        write(rel, content(kind, n, salt))
    for rel, kind, n in live[edits:edits + deletes]:
        os.remove(os.path.join(OUT, rel))
    for rel, kind, n in live[edits + deletes:edits + deletes + renames]:
        new = rel.replace("/", "/moved_%d_" % salt, 1)
        os.renames(os.path.join(OUT, rel), os.path.join(OUT, new))
    for k in range(adds):
        n = 900000 + salt * 1000 + k
        write("backend/lotgenius/new%d/mod_%d.py" % (salt, n), content("py", n, salt))


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    git("init", "-q", "-b", "main")
    # One pack at the end, not an automatic gc racing the generator.
    git("config", "gc.auto", "0")
    paths = layout()
    for rel, kind, n in paths:
        write(rel, content(kind, n, 0))
    write("README.md", "# Lot Genius\n")
    write(".gitignore", "node_modules/\n__pycache__/\n")
    write("xtask.toml", '[release]\nname = "lot-genius"\n\n[[version]]\npath = "backend/pyproject.toml"\n\n'
          '[[version]]\npath = "backend/lotgenius/__init__.py"\n\n[[version]]\npath = "frontend/package.json"\n')
    write("scripts/deploy.sh", "#!/bin/sh\necho deploy\n")
    os.chmod(os.path.join(OUT, "scripts/deploy.sh"), 0o755)
    os.symlink("../README.md", os.path.join(OUT, "docs/latest.md"))
    releases = []
    release("1.0.0", releases, "first release")
    churn(paths, 1, edits=150, adds=40, deletes=30, renames=20)
    release("1.1.0", releases, "the good one")
    churn(paths, 2, edits=300, adds=120, deletes=60, renames=40)
    os.chmod(os.path.join(OUT, "scripts/deploy.sh"), 0o644)
    os.remove(os.path.join(OUT, "docs/latest.md"))
    os.symlink("../CHANGELOG.md", os.path.join(OUT, "docs/latest.md"))
    release("1.2.0", releases, "the bad one")
    git("gc", "-q")
    git("config", "--unset", "gc.auto")


main()
