#!/usr/bin/env bash
# Makes the captures in docs/ again from the demo (fixtures/demo), with the built CLI (npm run build):
#   docs/report-da.png, docs/report-da-items.png  the Danish access report, headless Chromium 1000x1400
#   docs/review-screen-da.txt                     dsr review under LANG=da_DK.UTF-8, tmux 110x32, after j j
#   docs/review-screen.txt                        the same in English
# Usage: scripts/screenshots.sh   (needs tmux and chromium; the demo is copied to a temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
# A fixed place, so that the captures name the same root each time.
work=/tmp/dsr-shots
rm -rf "$work" && mkdir -p "$work"
root="$work/firma"
sock="dsr-shots-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r fixtures/demo "$root"
rm "$root/subject.json"
dsr() { node dist/cli/main.js "$@"; }
dsr scan "$root" --subject fixtures/demo/subject.json --out "$work/scan.json" -q || [ $? -eq 3 ]

dsr report "$work/scan.json" --lang da --tz Europe/Copenhagen \
  --controller fixtures/controller.example.json --out "$work/report.html" -q
node scripts/report-shots.mjs "$work/report.html"

capture() {
  local lang=$1 out=$2 title=$3
  tmux -L "$sock" new-session -d -s shot -x 110 -y 32 \
    "LANG=$lang node dist/cli/main.js review $work/scan.json --reviewer officer; sleep 30"
  for _ in $(seq 100); do
    tmux -L "$sock" capture-pane -p -t shot | grep -q '? h' && break
    sleep 0.1
  done
  tmux -L "$sock" send-keys -t shot j; sleep 0.4
  tmux -L "$sock" send-keys -t shot j; sleep 1.5
  { echo "# $title"; echo; tmux -L "$sock" capture-pane -p -t shot; } > "$out"
  tmux -L "$sock" kill-session -t shot
}
capture da_DK.UTF-8 docs/review-screen-da.txt \
  'dsr review on the demo (fixtures/demo) with LANG=da_DK.UTF-8, 110x32 terminal, tmux capture-pane after j j'
capture C.UTF-8 docs/review-screen.txt \
  'dsr review on the demo (fixtures/demo), 110x32 terminal, tmux capture-pane after j j'
echo "captures written to docs/"
