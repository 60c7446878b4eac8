# Shared by scripts/dev and scripts/test: system packages, the virtualenv, the Python packages.
# Sourced, not run. Every step is idempotent and cheap the second time.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# The shared libraries WeasyPrint loads (Pango, HarfBuzz subsetting): the Debian package that ships
# each one, and the file that proves it is there on any Linux.
declare -A LIB_OF=(
  [libpango-1.0-0]="libpango-1.0.so.0"
  [libpangoft2-1.0-0]="libpangoft2-1.0.so.0"
  [libharfbuzz-subset0]="libharfbuzz-subset.so.0"
)
# Commands: the Debian package that ships each one.
declare -A PKG_OF_CMD=(
  [pdftotext]="poppler-utils"
  [pdffonts]="poppler-utils"
  [msgfmt]="gettext"
)

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || compgen -G "/usr/lib/*/$1" >/dev/null || compgen -G "/usr/lib/$1" >/dev/null; }

# ensure_system LIBPKG... -- CMD...: installs what is missing with apt-get when root on Debian,
# otherwise fails saying exactly what to install.
ensure_system() {
  local missing=() pkg cmd seen_sep=0
  for arg in "$@"; do
    if [ "$arg" = "--" ]; then seen_sep=1; continue; fi
    if [ $seen_sep = 0 ]; then
      have_lib "${LIB_OF[$arg]}" || missing+=("$arg")
    else
      command -v "$arg" >/dev/null 2>&1 || missing+=("${PKG_OF_CMD[$arg]}")
    fi
  done
  [ ${#missing[@]} = 0 ] && return 0
  # de-duplicate
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null || die "apt-get update failed; install by hand: apt-get install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null \
      || die "apt-get install failed; install by hand: apt-get install ${missing[*]}"
  else
    die "missing system packages: ${missing[*]}
  On Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  (WeasyPrint needs Pango and HarfBuzz; the tests read PDFs with poppler-utils.)"
  fi
}

# Debian's chromium for the browser tests (tests/browser/): Playwright drives it through
# executable_path; Playwright's own browser download is not used (and not reachable from CI).
CHROMIUM="${HITOTSUBU_CHROMIUM:-/usr/bin/chromium}"
ensure_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  if is_root && command -v apt-get >/dev/null 2>&1 && [ "$CHROMIUM" = /usr/bin/chromium ]; then
    say "Installing chromium (the browser tests drive it)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } </dev/null \
      || die "apt-get install chromium failed; install it by hand: apt-get install chromium"
    [ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is not there"
  else
    die "the browser tests need chromium at $CHROMIUM (not found).
  On Debian:  sudo apt-get install chromium     (or set HITOTSUBU_CHROMIUM=/path/to/chromium)"
  fi
}

check_fonts() {
  compgen -G "$ROOT/letters/fonts/*.[ot]tf" >/dev/null \
    || die "no fonts in letters/fonts/: the letters need the vendored IPAex fonts (they are part of the repository)."
}

# Python 3.11, for the virtualenv.
find_python311() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 /usr/bin/python3.11 /usr/local/bin/python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  if [ -x "$PY" ]; then
    if "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      return 0
    fi
    die "$VENV exists but is not Python 3.11 ($("$PY" --version 2>&1)); remove it (rm -rf .venv) and run again."
  fi
  local python
  if ! python="$(find_python311)"; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "Installing Python 3.11 (python3.11, python3.11-venv)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq </dev/null && apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv </dev/null \
        || die "could not install Python 3.11: apt-get install python3.11 python3.11-venv"
      python="$(find_python311)" || die "Python 3.11 is still not found after installing it."
    else
      die "Python 3.11 is needed (found none: tried python3.11 and python3).
  On Debian 12:  sudo apt-get install python3.11 python3.11-venv    (or set PYTHON=/path/to/python3.11)"
    fi
  fi
  say "Creating the virtualenv .venv with $python"
  local err; err="$(mktemp)"
  if ! "$python" -m venv "$VENV" 2>"$err"; then
    rm -rf "$VENV"
    if is_root && command -v apt-get >/dev/null 2>&1 && [ "$python" = /usr/bin/python3.11 ]; then
      say "Installing python3.11-venv"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq </dev/null && apt-get install -y -qq --no-install-recommends python3.11-venv </dev/null
      "$python" -m venv "$VENV" || die "could not create .venv with $python"
    else
      cat "$err" >&2
      die "could not create .venv with $python; on Debian: sudo apt-get install python3.11-venv"
    fi
  fi
}

# pip install -e ".[test]" when pyproject.toml changed since the last successful install.
ensure_python_packages() {
  local stamp="$VENV/.hitotsubu-installed" want
  # Bump the recipe number when the install command below changes.
  want="recipe-1 $(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$PY" -c 'import django, celery, weasyprint, pytest_django' 2>/dev/null; then
    return 0
  fi
  say "Installing Python packages (pip install -e \".[test]\")"
  # (grep drops pip's noise about find-links folders a machine's pip.conf may name but not have)
  "$PY" -m pip install -q -e ".[test]" </dev/null 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  echo "$want" >"$stamp"
}

# compilemessages when a .po is newer than its .mo (or the .mo is missing), and gettext is there.
ensure_translations() {
  local stale=() po mo
  while IFS= read -r -d '' po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then stale+=("$po"); fi
  done < <(find "$ROOT" -path "$VENV" -prune -o -path "$ROOT/var" -prune -o -name '*.po' -path '*/LC_MESSAGES/*' -print0)
  [ ${#stale[@]} = 0 ] && return 0
  if command -v msgfmt >/dev/null 2>&1; then
    say "Compiling translations (${#stale[@]} changed .po file(s))"
    "$PY" manage.py compilemessages -v 0 --ignore=.venv --ignore=var
  else
    warn "gettext is not installed, so ${#stale[@]} .po file(s) newer than their .mo are not compiled
  (the committed .mo files are used). To compile: apt-get install gettext"
  fi
}

setup_common() {
  ensure_system libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 -- "$@"
  check_fonts
  ensure_venv
  ensure_python_packages
  ensure_translations
}
