#!/usr/bin/env bash
# Set up letan on a fresh Debian 12 / Ubuntu machine with Python >= 3.11:
# system packages (apt-get as root, or prints the exact line to run), a virtualenv in .venv,
# and letan with its test and optional extras. Safe to run again; it skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  mosquitto mosquitto-clients   # MQTT broker for tests and centres
  espeak-ng                     # Vietnamese speech synthesis
  fonts-dejavu-core fontconfig  # a font with every Vietnamese glyph for tickets
  libzbar0                      # pyzbar QR/barcode decoder
  socat                         # virtual serial lines for technicians
  libusb-1.0-0                  # USB ticket printers
  libportaudio2 alsa-utils sox  # microphone, speaker, audio checks
  opencv-doc                    # OpenCV sample photos (people standing) for presence tests
  openssl                       # certificates for the TLS broker tests
  chromium chromium-driver      # headless browser for the citizen's screen tests
)

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "letan needs Python 3.11 or newer: apt-get install -y python3 python3-venv" >&2
  exit 1
fi

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  case "$pkg" in \#*) continue;; esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing+=("python3-venv")
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Run this, then run this script again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
# mosquitto's Debian package starts a system broker on port 1883; letan's tests start their own.

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.letan-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing letan and its Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
echo "==> letan is set up: $(.venv/bin/letan --version)"
