#!/usr/bin/env bash
# Start-up and first-request times of a published Homeroom, e.g. with and without ReadyToRun:
#
#   dotnet publish src/Homeroom -p:PublishProfile=ReadyToRun -o /tmp/r2r
#   dotnet publish src/Homeroom -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=false -o /tmp/jit
#   bench/startup.sh /tmp/r2r /tmp/jit
#
# For each folder: starts `dotnet Homeroom.dll` on a free 127.0.0.1 port in a throwaway working directory (SQLite),
# and prints the milliseconds from the process start until /health answers, then each first request of a fresh
# process (each one runs code for the first time): the home page, sign-up, sign-in, a quiz, a live game, a PIN
# lookup. Everything it starts is stopped, and every temp directory removed, on exit.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 PUBLISHED_DIR..." >&2; exit 2; }
PIDS=()
DIRS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for dir in "${DIRS[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { curl -s -o /dev/null -w '%{time_total}' "$@" | awk '{ printf "%.0f", $1 * 1000 }'; }

printf '%-28s %8s %6s %7s %7s %6s %6s %6s\n' "build" "ready" "page" "signup" "login" "quiz" "game" "pin"
for app in "$@"; do
  work=$(mktemp -d); DIRS+=("$work")
  port=$(free_port); base="http://127.0.0.1:$port"
  start=$(now_ms)
  (cd "$work" && exec dotnet "$app/Homeroom.dll" --urls "$base" --Logging:LogLevel:Default Warning >"$work/log" 2>&1) &
  PIDS+=($!)
  until curl -sf -o /dev/null "$base/health"; do sleep 0.02; done
  ready=$(( $(now_ms) - start ))
  page=$(ms "$base/")
  user="u$RANDOM$RANDOM"; body="{\"username\":\"$user\",\"password\":\"correct horse battery staple\"}"
  signup=$(ms -H 'content-type: application/json' -d "$body" "$base/api/auth/signup")
  login=$(ms -H 'content-type: application/json' -d "$body" "$base/api/auth/login")
  token=$(curl -s -H 'content-type: application/json' -d "$body" "$base/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
  quiz='{"title":"Start-up","questions":[{"type":"truefalse","text":"Warm?","correct":true}]}'
  quizms=$(ms -H "authorization: Bearer $token" -H 'content-type: application/json' -d "$quiz" "$base/api/quizzes")
  quizid=$(curl -s -H "authorization: Bearer $token" -H 'content-type: application/json' -d "$quiz" "$base/api/quizzes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  gamems=$(curl -s -o "$work/game.json" -w '%{time_total}' -H "authorization: Bearer $token" -H 'content-type: application/json' -d "{\"quizId\":$quizid}" "$base/api/games" | awk '{ printf "%.0f", $1 * 1000 }')
  pin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pin"])' "$work/game.json")
  pinms=$(ms "$base/api/play/$pin")
  printf '%-28s %8s %6s %7s %7s %6s %6s %6s\n' "$(basename "$app")" "$ready" "$page" "$signup" "$login" "$quizms" "$gamems" "$pinms"
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
done
