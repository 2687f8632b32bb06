"""Differential check of the xtask's PEP 440 forms against Python's `packaging`.

Reads a JSON document on stdin (written by tests/version_pep440.rs):
  rendered:  PEP 440 strings the xtask wrote, in any order
  pairs:     [SemVer form, PEP 440 form] of one version each
  spellings: version strings in assorted spellings
and prints a JSON document: every rendered string that packaging does not keep as it is,
every pair packaging does not see as one version, the rendered strings sorted by packaging,
and packaging's normalised form of each spelling (null when packaging rejects it).
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
    for text in data["spellings"]:
        try:
            normalized[text] = str(Version(text))
        except InvalidVersion:
            normalized[text] = None
    json.dump(
        {
            "packaging": packaging.__version__,
            "errors": errors,
            "sorted": sorted(data["rendered"], key=Version),
            "normalized": normalized,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
