// Differential check of the tool's SemVer grammar and order against npm's own `semver`
// package (installed into tests/npm by scripts/setup.sh).
//
// Reads a JSON document on stdin (written by tests/version_semver.rs):
//   spellings: version strings in assorted spellings
//   versions:  valid versions, every pair of which is compared
//   steps:     [current, next] pairs of versions
// and prints a JSON document: semver.valid() of each spelling (null when npm refuses it),
// semver.compare() of every ordered pair of versions (as [a, b, -1 | 0 | 1]), and
// semver.gt(next, current) of each step.
"use strict";

const path = require("path");
const semver = require(path.join(__dirname, "npm", "node_modules", "semver"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const data = JSON.parse(input);
  const valid = {};
  for (const text of data.spellings) {
    valid[text] = semver.valid(text);
  }
  const compare = [];
  for (const a of data.versions) {
    for (const b of data.versions) {
      compare.push([a, b, semver.compare(a, b)]);
    }
  }
  const gt = data.steps.map(([current, next]) => semver.gt(next, current));
  const version = require(path.join(__dirname, "npm", "node_modules", "semver", "package.json")).version;
  process.stdout.write(JSON.stringify({ semver: version, valid, compare, gt }));
});
