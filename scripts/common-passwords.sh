#!/usr/bin/env bash
# Regenerate canvas/common-passwords.txt: the 20,000 common passwords Django ships
# (django/contrib/auth/common-passwords.txt.gz, from Royce Williams' list, lowercased and
# deduplicated), taken from a Django wheel without installing Django.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${PYTHON:-$here/.venv/bin/python}" -m pip download --quiet --no-deps --only-binary=:all: \
  -d "$tmp" "django==${DJANGO_VERSION:-5.2.19}"
unzip -q -o -d "$tmp" "$tmp"/django-*.whl 'django/contrib/auth/common-passwords.txt.gz'
gzip -dc "$tmp/django/contrib/auth/common-passwords.txt.gz" > "$here/canvas/common-passwords.txt"
wc -l "$here/canvas/common-passwords.txt"
