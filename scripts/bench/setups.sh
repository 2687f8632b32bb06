# Shared set-ups of the benchmark scripts (sourced, not run).

# scan_config FILE: the configuration under which both scanning gates check every file of the
# docs corpus (by default ellipsis leaves Markdown out).
scan_config() {
  cat > "$1" <<'TOML'
[gates]
detect = false
[gates.ascii]
paths = ["."]
files = ["*"]
[gates.ellipsis]
paths = ["."]
exclude = []
TOML
}

# bundle_repo DIR FRONTEND: a repository whose one bundle is the frontend corpus; `frontend` is
# a link to it (ignored by git, so the tree is clean and the run needs no --allow-dirty).
bundle_repo() {
  local dir=$1 frontend=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  git -C "$dir" init -q -b main
  ln -s "$frontend" "$dir/frontend"
  printf 'frontend\n' > "$dir/.gitignore"
  printf '1.0.0\n' > "$dir/VERSION"
  cat > "$dir/xtask.toml" <<'TOML'
[release]
name = "bench"

[[version]]
path = "VERSION"

[[bundle]]
name = "frontend-build.zip"
cwd = "frontend"
include = ["**"]
TOML
  git -C "$dir" add -A
  git -C "$dir" -c user.name=bench -c user.email=bench@example.com commit -q -m "bench"
}
