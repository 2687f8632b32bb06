"""Differential check of the xtask's PEP 440 forms against Python's `packaging`.

Reads a JSON document on stdin (written by tests/version_pep440.rs):
  rendered:  PEP 440 strings the xtask wrote, in any order
  pairs:     [SemVer form, PEP 440 form] of one version each
  spellings: version strings in assorted spellings
  versions:  version strings whose every pair is compared
and prints a JSON document: every rendered string that packaging does not keep as it is,
every pair packaging does not see as one version, the rendered strings sorted by packaging,
packaging's normalised form of each spelling (null when packaging rejects it) and its parts,
and packaging's comparison of every ordered pair of versions (as [a, b, -1 | 0 | 1]).
"""
import json
import sys

import packaging
from packaging.version import InvalidVersion, Version


def main() -> None:
    data = json.load(sys.stdin)
    errors = []
    for text in data["rendered"]:
        normalized = str(Version(text))
        if normalized != text:
            errors.append(f"{text!r} normalizes to {normalized!r}")
    for semver, pep in data["pairs"]:
        if Version(semver) != Version(pep):
            errors.append(f"{semver!r} and {pep!r} are different versions")
    normalized = {}
    parts = {}
    for text in data["spellings"]:
        try:
            v = Version(text)
        except InvalidVersion:
            normalized[text] = None
            parts[text] = None
            continue
        normalized[text] = str(v)
        parts[text] = {
            "epoch": v.epoch,
            "release": list(v.release),
            "pre": list(v.pre) if v.pre else None,
            "post": v.post,
            "dev": v.dev,
            "local": v.local,
        }
    compare = []
    for a in data.get("versions", []):
        for b in data.get("versions", []):
            va, vb = Version(a), Version(b)
            compare.append([a, b, (va > vb) - (va < vb)])
    json.dump(
        {
            "packaging": packaging.__version__,
            "errors": errors,
            "sorted": sorted(data["rendered"], key=Version),
            "normalized": normalized,
            "parts": parts,
            "compare": compare,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
