#!/usr/bin/env bash
# Live-game load test for Homeroom. See bench/README.md.
#
#   bench/game.sh [--players 1000,2500,5000,10000] [--db sqlite|postgres] [--questions 5]
#                 [--workers 2] [--window 5] [--read-seconds 1] [--concurrency 100]
#                 [--warmup 200] [--busy N] [--json FILE] [--no-build] [--app DIR]
#
# For each player count N: starts a Release build of Homeroom on a fresh database (SQLite in a temp
# directory, or a new database in a throwaway PostgreSQL cluster), signs up a teacher, creates a quiz
# of single-choice questions (20 s limit), plays a short warm-up game (--warmup players, 2 questions,
# not measured: the first answers on a fresh service would otherwise measure the JIT compiler), then
# creates the measured game and runs bench/games/game.mjs: a host and N
# players over SignalR (WebSockets) on 127.0.0.1, each player answering every question at a random
# moment of the window. Prints answer-acknowledgement latency, question fan-out, server memory per
# player and CPU, the load generator's CPU, and checks that every answer is in the database.
# --app DIR runs a Homeroom published elsewhere (dotnet publish -c Release -o DIR), to compare builds.
# --busy N keeps N busy neighbours (CPU-bound loops, each in its own session, like other people's builds)
# running through each measured game, to measure it on a loaded machine (N=6 gives a load of about 8).
# Exits 1 if any check failed, 2 on bad usage. Everything it starts is stopped on exit.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
GAMES_DIR="$BENCH_DIR/games"
OUT_DIR="$BENCH_DIR/out"
BENCH_NAME=game.sh
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

PLAYERS=1000,2500,5000,10000
DB=sqlite
QUESTIONS=5
# Two player processes: with one, its event loop is busy for ~0.5 s with each 10,000-player burst, and that
# delay lands in the acks it measures (measured: docs/performance.md, "Live games").
WORKERS=2
WINDOW=5
# One second of reading time: the question goes out alone, then the answers (0 sends both back to back).
READ_SECONDS=1
CONCURRENCY=100
WARMUP=200
JSON_FILE=""
BUILD=1
APP_DIR=""
BUSY=0

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --players) PLAYERS=${2:-}; shift 2 ;;
        --players=*) PLAYERS=${1#*=}; shift ;;
        --db) DB=${2:-}; shift 2 ;;
        --db=*) DB=${1#*=}; shift ;;
        --questions) QUESTIONS=${2:-}; shift 2 ;;
        --questions=*) QUESTIONS=${1#*=}; shift ;;
        --workers) WORKERS=${2:-}; shift 2 ;;
        --workers=*) WORKERS=${1#*=}; shift ;;
        --window) WINDOW=${2:-}; shift 2 ;;
        --window=*) WINDOW=${1#*=}; shift ;;
        --read-seconds) READ_SECONDS=${2:-}; shift 2 ;;
        --read-seconds=*) READ_SECONDS=${1#*=}; shift ;;
        --concurrency) CONCURRENCY=${2:-}; shift 2 ;;
        --concurrency=*) CONCURRENCY=${1#*=}; shift ;;
        --warmup) WARMUP=${2:-}; shift 2 ;;
        --warmup=*) WARMUP=${1#*=}; shift ;;
        --json) JSON_FILE=${2:-}; shift 2 ;;
        --json=*) JSON_FILE=${1#*=}; shift ;;
        --no-build) BUILD=0; shift ;;
        --busy) BUSY=${2:-}; shift 2 ;;
        --busy=*) BUSY=${1#*=}; shift ;;
        --app) APP_DIR=${2:-}; shift 2 ;;
        --app=*) APP_DIR=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

[[ $DB == sqlite || $DB == postgres ]] || die "--db must be sqlite or postgres, not '$DB'"
[[ $PLAYERS =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--players must be a comma-separated list of positive integers"
IFS=, read -r -a COUNTS <<<"$PLAYERS"
for n in "${COUNTS[@]}"; do ((n <= 20000)) || die "at most 20000 players (the server's limit per game)"; done
[[ $QUESTIONS =~ ^[1-9][0-9]?$ ]] || die "--questions must be 1 to 99"
[[ $WORKERS =~ ^[1-8]$ ]] || die "--workers must be 1 to 8"
[[ $WINDOW =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v w="$WINDOW" 'BEGIN { exit !(w <= 15) }' || die "--window must be 0 to 15 seconds (the questions' limit is 20 s)"
[[ $READ_SECONDS =~ ^([0-9]|10)$ ]] || die "--read-seconds must be 0 to 10"
[[ $CONCURRENCY =~ ^[1-9][0-9]*$ ]] || die "--concurrency must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] && ((WARMUP <= 2000)) || die "--warmup must be 0 to 2000 players"
[[ $BUSY =~ ^([0-9]|1[0-6])$ ]] || die "--busy must be 0 to 16"
if [[ -n $JSON_FILE && $JSON_FILE != /* ]]; then JSON_FILE="$PWD/$JSON_FILE"; fi

cd "$REPO_DIR"

NODE_PID=""
BUSY_PIDS=()
busy_stop() {
    local pid
    for pid in "${BUSY_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    BUSY_PIDS=()
}
busy_start() {
    local i
    for ((i = 0; i < BUSY; i++)); do
        setsid sh -c 'while :; do :; done' &
        BUSY_PIDS+=($!)
    done
}
cleanup_hook() { [[ -n $NODE_PID ]] && stop_pid "$NODE_PID"; busy_stop; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools, the load generator's packages and the build
# ---------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (apt-get install -y nodejs npm)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || die "node 18 or later is needed"

if [[ ! -f $GAMES_DIR/node_modules/@microsoft/signalr/package.json \
      || ( -f $GAMES_DIR/package-lock.json && $GAMES_DIR/package-lock.json -nt $GAMES_DIR/node_modules/.package-lock.json ) ]]; then
    echo "== Installing the load generator's packages (bench/games/node_modules)"
    if [[ -f $GAMES_DIR/package-lock.json ]]; then
        (cd "$GAMES_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    else
        (cd "$GAMES_DIR" && npm install --no-audit --no-fund --loglevel=error)
    fi
fi

if [[ -n $APP_DIR ]]; then
    APP_DIR=$(cd "$APP_DIR" && pwd) && [[ -f $APP_DIR/Homeroom.dll ]] || die "--app: no Homeroom.dll in $APP_DIR"
elif ((BUILD)) || [[ ! -f $OUT_DIR/homeroom/Homeroom.dll ]]; then
    echo "== Publishing a Release build to bench/out/homeroom"
    dotnet publish src/Homeroom -c Release -o "$OUT_DIR/homeroom" --nologo -v q
fi
APP_DIR=${APP_DIR:-$OUT_DIR/homeroom}

# Every player is a socket at both ends, in the service and in the load generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_n=$(printf '%s\n' "${COUNTS[@]}" | sort -n | tail -n1)
if (($(ulimit -n) < max_n + 1000)); then
    die "open files are limited to $(ulimit -n) (hard limit $(ulimit -Hn)): $max_n players need more than $((max_n + 1000))"
fi

WORK=$(mktemp -d /tmp/homeroom-game-bench.XXXXXX)
RUN_LOG_DIR="$OUT_DIR/runs/$(date -u +%Y%m%dT%H%M%SZ)-game-$DB"
mkdir -p "$RUN_LOG_DIR"

if [[ $DB == postgres ]]; then
    start_postgres
fi

# ---------------------------------------------------------------------------------------------
# One game per player count, each on a freshly started service and a fresh database
# ---------------------------------------------------------------------------------------------

# The quiz: QUESTIONS single-choice questions of 4 answers, 20 s each.
quiz_json() {
    local q sep=""
    printf '{"title":"Bench quiz","questions":['
    for q in $(seq "$QUESTIONS"); do
        printf '%s{"type":"single","text":"Bench question %d?","timeLimit":20,"points":1000,"answers":[' "$sep" "$q"
        printf '{"text":"A","correct":%s},{"text":"B","correct":%s},{"text":"C","correct":false},{"text":"D","correct":false}]}' \
            "$([[ $((q % 2)) == 1 ]] && echo true || echo false)" "$([[ $((q % 2)) == 0 ]] && echo true || echo false)"
        sep=,
    done
    printf ']}'
}

# db_counts GAME_ID: prints "players answers status" as stored in the database.
db_counts() {
    local id=$1 sql
    sql="SELECT (SELECT COUNT(*) FROM game_players WHERE game_id = $id), (SELECT COUNT(*) FROM game_answers WHERE game_id = $id), (SELECT status FROM games WHERE id = $id)"
    if [[ $DB == postgres ]]; then
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U homeroom -d "$PG_DATABASE" -AtF ' ' -c "$sql"
    elif command -v sqlite3 >/dev/null; then
        sqlite3 -separator ' ' "file:$SERVICE_DIR/data/homeroom.db?mode=ro" "$sql"
    elif command -v python3 >/dev/null; then
        python3 -c 'import sqlite3, sys; print(*sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute(sys.argv[2]).fetchone())' \
            "$SERVICE_DIR/data/homeroom.db" "$sql"
    else
        echo "? ? ?"
    fi
}

cores=$(nproc)
commit=$(git -C "$REPO_DIR" rev-parse --verify -q --short HEAD 2>/dev/null || echo "none")
run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $run_date  $cores cores  load $load_before  commit $commit  db $DB"
echo "== players $PLAYERS, $QUESTIONS questions, answers within ${WINDOW} s, read time ${READ_SECONDS} s, $WORKERS player process(es), join concurrency $CONCURRENCY, warm-up game of $WARMUP players"
echo "   the load generator runs on the same $cores cores as the service"

failed=0
RESULT_FILES=()
run=0
for n in "${COUNTS[@]}"; do
    run=$((run + 1))
    name="homeroom-$run-$n"
    args=(--Homeroom:AuthRequestsPerMinutePerClient=100000)
    if [[ $DB == postgres ]]; then
        PG_DATABASE="game_${run}_$n"
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U homeroom -d postgres -qc "CREATE DATABASE $PG_DATABASE" >/dev/null
        args+=(--Storage:Provider=postgres
            "--ConnectionStrings:Homeroom=Host=127.0.0.1;Port=$PG_PORT;Username=homeroom;Database=$PG_DATABASE")
    fi
    free_port PORT
    echo
    echo "== $n players: Homeroom ($DB) on 127.0.0.1:$PORT"
    start_app "$name" "$APP_DIR/Homeroom.dll" "$PORT" "${args[@]}"
    SERVICE_PID=$LAST_PID
    SERVICE_DIR="$WORK/$name"
    BASE_URL="http://127.0.0.1:$PORT"
    wait_for_http "$BASE_URL/health" "$SERVICE_PID" "$SERVICE_DIR/app.log"

    TOKEN=$(new_teacher "bench$run")
    [[ -n $TOKEN ]] || { echo "game.sh: login returned no accessToken" >&2; exit 1; }
    quiz_id=$(api POST /api/quizzes "$(quiz_json)" | json_get id)
    window_ms=$(awk -v w="$WINDOW" 'BEGIN { print w * 1000 }')
    if ((WARMUP > 0)); then
        game=$(api POST /api/games "{\"quizId\":$quiz_id,\"options\":{\"readSeconds\":$READ_SECONDS}}")
        echo "   warm-up game: $WARMUP players, $((QUESTIONS < 2 ? QUESTIONS : 2)) questions (not measured)"
        if ! node "$GAMES_DIR/game.mjs" --url "$BASE_URL" --game-id "$(json_get id <<<"$game")" --pin "$(json_get pin <<<"$game")" \
            --token "$TOKEN" --players "$WARMUP" --questions "$((QUESTIONS < 2 ? QUESTIONS : 2))" --workers "$WORKERS" \
            --window-ms "$window_ms" --read-seconds "$READ_SECONDS" >"$RUN_LOG_DIR/warmup-$run-$n.log" 2>&1; then
            echo "game.sh: the warm-up game failed:" >&2
            cat "$RUN_LOG_DIR/warmup-$run-$n.log" >&2
            exit 1
        fi
    fi
    game=$(api POST /api/games "{\"quizId\":$quiz_id,\"options\":{\"readSeconds\":$READ_SECONDS,\"streaks\":true,\"podiumSize\":3}}")
    game_id=$(json_get id <<<"$game")
    pin=$(json_get pin <<<"$game")
    echo "   game $game_id, PIN $pin; service pid $SERVICE_PID"
    if ((BUSY > 0)); then
        busy_start
        sleep 5
        echo "   $BUSY busy neighbours running (load $(cut -d' ' -f1-3 /proc/loadavg))"
    fi

    result="$RUN_LOG_DIR/game-$run-$n.json"
    status=0
    # In the background with `wait`, so that a Ctrl-C stops it at once (the cleanup stops it).
    timeout 1800 node "$GAMES_DIR/game.mjs" --url "$BASE_URL" --game-id "$game_id" --pin "$pin" --token "$TOKEN" \
        --players "$n" --questions "$QUESTIONS" --workers "$WORKERS" --window-ms "$window_ms" \
        --read-seconds "$READ_SECONDS" --concurrency "$CONCURRENCY" --server-pid "$SERVICE_PID" --json "$result" &
    NODE_PID=$!
    wait "$NODE_PID" || status=$?
    NODE_PID=""
    busy_stop
    ((status == 0)) || failed=1

    # The database must hold every player and every acknowledged answer.
    read -r db_players db_answers db_status < <(db_counts "$game_id")
    api_players=$(api GET "/api/games/$game_id" | json_get players)
    echo "   database: $db_players players, $db_answers answers, game $db_status (expected $n, $((n * QUESTIONS)), finished); GET /api/games/$game_id: $api_players players"
    check=ok
    if [[ $db_players != "$n" || $db_answers != "$((n * QUESTIONS))" || $db_status != finished || $api_players != "$n" ]]; then
        check=FAILED
        failed=1
        echo "   FAIL: the database does not hold what was played" >&2
    fi
    printf '{"players": "%s", "answers": "%s", "status": "%s", "apiPlayers": "%s", "expectedPlayers": %d, "expectedAnswers": %d, "check": "%s"}\n' \
        "$db_players" "$db_answers" "$db_status" "$api_players" "$n" "$((n * QUESTIONS))" "$check" >"${result%.json}.db.json"
    [[ -f $result ]] && RESULT_FILES+=("$result")

    stop_pid "$SERVICE_PID"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "Homeroom live game ($DB) — $run_date — $cores cores, load $load_before / $load_after — commit $commit"
echo "$QUESTIONS questions, answers within ${WINDOW} s, $WORKERS player process(es) + the host's, all on the service's cores."
node "$GAMES_DIR/table.mjs" --db "$DB" --date "$run_date" --commit "$commit" --load "$load_before / $load_after" \
    ${JSON_FILE:+--json "$JSON_FILE"} "${RESULT_FILES[@]}"
echo "raw results and the services' logs in ${RUN_LOG_DIR#"$REPO_DIR"/}/"
exit "$failed"
