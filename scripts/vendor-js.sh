#!/usr/bin/env bash
# Vendors the front-end libraries listed in scripts/vendor-js.txt into static/ (committed, so
# neither CI nor the demo needs npm for them, and no page loads anything from a CDN).
# Each line: <npm package> <exact version> <file inside the package> <destination directory>.
# The package's licence file is copied beside the library. Run it after changing the list:
#   scripts/vendor-js.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -v '^\s*#' scripts/vendor-js.txt | while read -r package version file dest; do
  [ -n "${package:-}" ] || continue
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/x" "$dest"
  tar -xzf "$tarball" -C "$work/x"
  cp "$work/x/package/$file" "$dest/"
  # No source-map comment: the map is not vendored, and collectstatic's manifest storage
  # refuses a file that names a missing one.
  sed -i '/^\/\/# sourceMappingURL=/d' "$dest/$(basename "$file")"
  licence=$(ls "$work/x/package" | grep -iE '^(licen[cs]e|copying)' | head -1 || true)
  [ -n "$licence" ] && cp "$work/x/package/$licence" "$dest/$(basename "$file").LICENSE"
  echo "vendored $package@$version -> $dest/$(basename "$file")"
  rm -rf "$work/x" "$tarball"
done
