#!/usr/bin/env bash
# Real-terminal smoke test: start `dealterm --demo` in tmux, move a deal with shift+right,
# check the board and the database agree, and quit. Exit 0 on success.
#
#   scripts/tmux_smoke.sh [path/to/dealterm]
#
# It uses a private data directory, so your own demo database is left alone.
set -euo pipefail
DEALTERM=${1:-dealterm}
SESSION="dealterm-smoke-$$"
HOME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dealterm-smoke.XXXXXX")
export DEALTERM_DATA_DIR="$HOME_DIR/data" XDG_CONFIG_HOME="$HOME_DIR/config"
cleanup() { tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$SESSION"; }
wait_for() {  # wait_for TEXT [SECONDS]
    local deadline=$(( $(date +%s) + ${2:-30} ))
    until screen | grep -qF -- "$1"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "FAIL: timed out waiting for '$1'. Screen:" >&2; screen >&2; exit 1
        fi
        sleep 0.1
    done
}
count_of() {  # the deal count in the header of column $1 (1-based)
    screen | grep -E '^ +[0-9,]+ · ' | head -1 | awk -v n="$1" -F'   +' '{print $n}' | sed -E 's/^ *([0-9,]+) ·.*/\1/; s/,//g'
}

tmux new-session -d -s "$SESSION" -x 160 -y 45 \
    -e TERM=xterm-256color -e DEALTERM_DATA_DIR="$DEALTERM_DATA_DIR" -e XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
tmux send-keys -t "$SESSION" "$DEALTERM --demo; echo DEALTERM-EXITED-\$?" Enter
started=$(date +%s.%N)
wait_for "weighted" 90
wait_for " deals" 30
echo "board on screen after $(echo "$(date +%s.%N) - $started" | bc) s (includes creating the demo database)"

new_before=$(count_of 1); prep_before=$(count_of 2)
first_card=$(screen | grep -m1 '▌' | sed -E 's/^ *▌//; s/   +.*//')
echo "columns 1 and 2: $new_before and $prep_before deals; moving '$first_card'"
tmux send-keys -t "$SESSION" S-Right
deadline=$(( $(date +%s) + 10 ))
until [ "$(count_of 1)" = "$((new_before - 1))" ] && [ "$(count_of 2)" = "$((prep_before + 1))" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "FAIL: headers did not update" >&2; screen >&2; exit 1; }
    sleep 0.1
done
echo "after the move: $(count_of 1) and $(count_of 2)"

tmux send-keys -t "$SESSION" q
wait_for "DEALTERM-EXITED-0" 10

moved=$("$DEALTERM" --demo deal list --stage PREPARATION --json --limit 1000 | python3 -c '
import json, sys
deals = json.load(sys.stdin)
print(sum(1 for d in deals))')
[ "$moved" = "$((prep_before + 1))" ] || { echo "FAIL: database has $moved deals in PREPARATION" >&2; exit 1; }
echo "PASS: the move is on the board and in the database"
