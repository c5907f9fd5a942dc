#!/usr/bin/env bash
# Assignment load test for Homeroom: students answering an assignment at their own pace, all at once.
#
#   bench/assignment.sh [--students 1000] [--db sqlite|postgres] [--questions 5] [--no-build] [--app DIR]
#
# Starts a Release build of Homeroom on a fresh database (SQLite in a temp directory, or a throwaway
# PostgreSQL cluster), signs up a teacher, creates a quiz of single-choice questions and assigns it (timer
# on), then runs bench/games/assignment.mjs: every student starts an attempt, then all of them at once ask
# for each question (/next) and answer it (/answers) over HTTP on 127.0.0.1. Prints the answers'
# acknowledgement latency (p50/p95/p99/max), the same figures for GET /health with as many requests in flight,
# measured in the same run, and their ratio; checks that every acknowledged answer is in the database.
# Exits 1 if a check failed, 2 on bad usage. Everything it starts is stopped on exit.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
GAMES_DIR="$BENCH_DIR/games"
OUT_DIR="$BENCH_DIR/out"
BENCH_NAME=assignment.sh
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

STUDENTS=1000
DB=sqlite
QUESTIONS=5
BUILD=1
APP_DIR=""

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --students) STUDENTS=${2:-}; shift 2 ;;
        --students=*) STUDENTS=${1#*=}; shift ;;
        --db) DB=${2:-}; shift 2 ;;
        --db=*) DB=${1#*=}; shift ;;
        --questions) QUESTIONS=${2:-}; shift 2 ;;
        --questions=*) QUESTIONS=${1#*=}; shift ;;
        --no-build) BUILD=0; shift ;;
        --app) APP_DIR=${2:-}; shift 2 ;;
        --app=*) APP_DIR=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

[[ $DB == sqlite || $DB == postgres ]] || die "--db must be sqlite or postgres, not '$DB'"
[[ $STUDENTS =~ ^[1-9][0-9]*$ ]] && ((STUDENTS <= 20000)) || die "--students must be 1 to 20000"
[[ $QUESTIONS =~ ^[1-9][0-9]?$ ]] || die "--questions must be 1 to 99"

cd "$REPO_DIR"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
command -v node >/dev/null || die "node is needed (apt-get install -y nodejs)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || die "node 18 or later is needed (fetch)"

if [[ -n $APP_DIR ]]; then
    APP_DIR=$(cd "$APP_DIR" && pwd) && [[ -f $APP_DIR/Homeroom.dll ]] || die "--app: no Homeroom.dll in $APP_DIR"
elif ((BUILD)) || [[ ! -f $OUT_DIR/homeroom/Homeroom.dll ]]; then
    echo "== Publishing a Release build to bench/out/homeroom"
    dotnet publish src/Homeroom -c Release -o "$OUT_DIR/homeroom" --nologo -v q
fi
APP_DIR=${APP_DIR:-$OUT_DIR/homeroom}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d /tmp/homeroom-assignment-bench.XXXXXX)
RUN_LOG_DIR="$OUT_DIR/runs/$(date -u +%Y%m%dT%H%M%SZ)-assignment-$DB"
mkdir -p "$RUN_LOG_DIR"

args=(--Homeroom:AuthRequestsPerMinutePerClient=100000 --Homeroom:PinLookupsPerMinutePerClient=1000000)
if [[ $DB == postgres ]]; then
    start_postgres
    PG_DATABASE=assignment_bench
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U homeroom -d postgres -qc "CREATE DATABASE $PG_DATABASE" >/dev/null
    # A thousand HTTP requests at once fill Npgsql's pool (100 by default), which with the writer's connections is
    # more than the cluster's max_connections (100): "sorry, too many clients already". A smaller pool queues instead.
    args+=(--Storage:Provider=postgres "--ConnectionStrings:Homeroom=Host=127.0.0.1;Port=$PG_PORT;Username=homeroom;Database=$PG_DATABASE;Maximum Pool Size=60")
fi

quiz_json() {
    local q sep=""
    printf '{"title":"Bench homework","questions":['
    for q in $(seq "$QUESTIONS"); do
        printf '%s{"type":"single","text":"Bench question %d?","timeLimit":60,"points":1000,"answers":[{"text":"A","correct":true},{"text":"B","correct":false}]}' "$sep" "$q"
        sep=,
    done
    printf ']}'
}

db_counts() {
    local id=$1 sql
    sql="SELECT (SELECT COUNT(*) FROM assignment_players WHERE assignment_id = $id), (SELECT COUNT(*) FROM assignment_answers WHERE assignment_id = $id)"
    if [[ $DB == postgres ]]; then
        "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U homeroom -d "$PG_DATABASE" -AtF ' ' -c "$sql"
    elif command -v sqlite3 >/dev/null; then
        sqlite3 -separator ' ' "file:$SERVICE_DIR/data/homeroom.db?mode=ro" "$sql"
    else
        python3 -c 'import sqlite3, sys; print(*sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute(sys.argv[2]).fetchone())' \
            "$SERVICE_DIR/data/homeroom.db" "$sql"
    fi
}

cores=$(nproc)
commit=$(git -C "$REPO_DIR" rev-parse --verify -q --short HEAD 2>/dev/null || echo "none")
run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $run_date  $cores cores  load $load_before  commit $commit  db $DB"
echo "== $STUDENTS students, $QUESTIONS questions each, all at once; the load generator runs on the same cores"

free_port PORT
start_app homeroom "$APP_DIR/Homeroom.dll" "$PORT" "${args[@]}"
SERVICE_PID=$LAST_PID
SERVICE_DIR="$WORK/homeroom"
BASE_URL="http://127.0.0.1:$PORT"
wait_for_http "$BASE_URL/health" "$SERVICE_PID" "$SERVICE_DIR/app.log"

TOKEN=$(new_teacher bench)
quiz_id=$(api POST /api/quizzes "$(quiz_json)" | json_get id)
deadline=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)
assignment=$(api POST /api/assignments "{\"quizId\":$quiz_id,\"deadline\":\"$deadline\",\"options\":{\"timer\":\"on\",\"showAnswers\":\"after-each\"}}")
assignment_id=$(json_get id <<<"$assignment")
code=$(json_get code <<<"$assignment")
echo "   assignment $assignment_id, code $code; service pid $SERVICE_PID"

# A warm-up assignment (not measured): the first requests on a fresh service would measure the JIT compiler.
warm=$(api POST /api/assignments "{\"quizId\":$quiz_id,\"deadline\":\"$deadline\"}")
node "$GAMES_DIR/assignment.mjs" --url "$BASE_URL" --code "$(json_get code <<<"$warm")" --students 100 --questions "$QUESTIONS" \
    >"$RUN_LOG_DIR/warmup.log" 2>&1 || { cat "$RUN_LOG_DIR/warmup.log" >&2; exit 1; }

result="$RUN_LOG_DIR/assignment-$STUDENTS.json"
status=0
timeout 1800 node "$GAMES_DIR/assignment.mjs" --url "$BASE_URL" --code "$code" --students "$STUDENTS" --questions "$QUESTIONS" --json "$result" || status=$?

read -r db_players db_answers < <(db_counts "$assignment_id")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "Homeroom assignment ($DB) — $run_date — $cores cores, load $load_before / $load_after — commit $commit"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const row = (name, s) => console.log(`${name.padEnd(22)} ${String(s.count).padStart(6)}  p50 ${String(s.p50).padStart(7)} ms  p95 ${String(s.p95).padStart(7)} ms  p99 ${String(s.p99).padStart(7)} ms  max ${String(s.max).padStart(7)} ms`);
row("answer (ack)", r.ack);
row("next question", r.next);
row("/health (same load)", r.health);
console.log(`ratio to /health: p50 ${r.ratioP50}x, p99 ${r.ratioP99}x; ${r.answersPerSecond} answers/s over ${r.seconds} s; failures ${r.failures}`);
' "$result"
echo "database: $db_players attempts, $db_answers answers (expected $STUDENTS, $((STUDENTS * QUESTIONS)))"
if [[ $db_players != "$STUDENTS" || $db_answers != "$((STUDENTS * QUESTIONS))" ]]; then
    echo "FAIL: the database does not hold every acknowledged answer" >&2
    status=1
fi
echo "raw results and the service's log in ${RUN_LOG_DIR#"$REPO_DIR"/}/"
exit "$status"
