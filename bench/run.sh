#!/usr/bin/env bash
# Load benchmark for Homeroom. See bench/README.md.
#
#   bench/run.sh [--db sqlite|postgres] [--duration 10s] [--connections 32] [--threads 2]
#                [--warmup 5s] [--rounds 3] [--json FILE] [--no-build] [--list] [ENDPOINT...]
#
# Builds Release copies of Homeroom and of a bare Kestrel app into bench/out/, starts both on free
# 127.0.0.1 ports (Homeroom in a throwaway working directory, and with --db postgres against a
# throwaway PostgreSQL cluster), signs up a teacher, then measures with wrk, round after round:
#   bare /health, Homeroom /health, each ENDPOINT
# and prints req/s, p50, p99, error counts and each figure's ratio to /health measured in the same
# run. Exits 1 if any measurement saw a socket error or a non-2xx response, 2 on bad usage.
# Everything it starts is stopped, and every temp directory removed, on exit.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
ENDPOINTS_DIR="$BENCH_DIR/endpoints"
OUT_DIR="$BENCH_DIR/out"

DB=sqlite
DURATION=10s
CONNECTIONS=32
THREADS=2
WARMUP=5s
ROUNDS=3
JSON_FILE=""
BUILD=1
ENDPOINTS=()

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    echo
    echo "Endpoints: $(list_endpoints | tr '\n' ' ')"
}

list_endpoints() {
    local file
    for file in "$ENDPOINTS_DIR"/*.sh; do
        [[ -e $file ]] && basename "$file" .sh
    done
}

die() { echo "run.sh: $*" >&2; exit 2; }   # (bench/lib.sh, sourced later, defines the same)

while (($#)); do
    case $1 in
        --db) DB=${2:-}; shift 2 ;;
        --db=*) DB=${1#*=}; shift ;;
        --duration) DURATION=${2:-}; shift 2 ;;
        --duration=*) DURATION=${1#*=}; shift ;;
        --connections) CONNECTIONS=${2:-}; shift 2 ;;
        --connections=*) CONNECTIONS=${1#*=}; shift ;;
        --threads) THREADS=${2:-}; shift 2 ;;
        --threads=*) THREADS=${1#*=}; shift ;;
        --warmup) WARMUP=${2:-}; shift 2 ;;
        --warmup=*) WARMUP=${1#*=}; shift ;;
        --rounds) ROUNDS=${2:-}; shift 2 ;;
        --rounds=*) ROUNDS=${1#*=}; shift ;;
        --json) JSON_FILE=${2:-}; shift 2 ;;
        --json=*) JSON_FILE=${1#*=}; shift ;;
        --no-build) BUILD=0; shift ;;
        --list) list_endpoints; exit 0 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) ENDPOINTS+=("$1"); shift ;;
    esac
done

[[ $DB == sqlite || $DB == postgres ]] || die "--db must be sqlite or postgres, not '$DB'"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "--connections must be a positive integer"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer"
((THREADS <= CONNECTIONS)) || die "--threads must not exceed --connections"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $DURATION =~ ^[1-9][0-9]*[sm]?$ ]] || die "--duration must look like 10s or 1m"
[[ $WARMUP =~ ^[0-9]+[sm]?$ ]] || die "--warmup must look like 5s (0 for none)"
if [[ -n $JSON_FILE && $JSON_FILE != /* ]]; then JSON_FILE="$PWD/$JSON_FILE"; fi
if ((${#ENDPOINTS[@]} == 0)); then mapfile -t ENDPOINTS < <(list_endpoints); fi
for name in "${ENDPOINTS[@]}"; do
    [[ $name =~ ^[A-Za-z0-9_-]+$ && -f $ENDPOINTS_DIR/$name.sh ]] \
        || die "no endpoint '$name' in bench/endpoints/ (have: $(list_endpoints | tr '\n' ' '))"
done

cd "$REPO_DIR"

# ---------------------------------------------------------------------------------------------
# Clean-up and the shared helpers (bench/lib.sh): whatever was started is stopped, whatever was
# created under /tmp is removed.
# ---------------------------------------------------------------------------------------------
BENCH_NAME=run.sh
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
WRK_PID=""         # the wrk run in progress
cleanup_hook() { [[ -n $WRK_PID ]] && stop_pid "$WRK_PID"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools and builds
# ---------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
command -v wrk >/dev/null || die "wrk could not be installed"

if ((BUILD)) || [[ ! -f $OUT_DIR/homeroom/Homeroom.dll || ! -f $OUT_DIR/bare/Bare.dll ]]; then
    echo "== Publishing Release builds to bench/out/"
    dotnet publish src/Homeroom -c Release -o "$OUT_DIR/homeroom" --nologo -v q
    dotnet publish bench/bare/Bare.csproj -c Release -o "$OUT_DIR/bare" --nologo -v q
fi

WORK=$(mktemp -d /tmp/homeroom-bench.XXXXXX)
RUN_LOG_DIR="$OUT_DIR/runs/$(date -u +%Y%m%dT%H%M%SZ)-$DB"
mkdir -p "$RUN_LOG_DIR"

HOMEROOM_ARGS=(--Homeroom:AuthRequestsPerMinutePerClient=100000)
if [[ $DB == postgres ]]; then
    start_postgres
    HOMEROOM_ARGS+=(--Storage:Provider=postgres
        "--ConnectionStrings:Homeroom=Host=127.0.0.1;Port=$PG_PORT;Username=homeroom;Database=postgres")
fi

free_port BARE_PORT
free_port HOMEROOM_PORT
echo "== Starting bare Kestrel on 127.0.0.1:$BARE_PORT and Homeroom ($DB) on 127.0.0.1:$HOMEROOM_PORT"
start_app bare "$OUT_DIR/bare/Bare.dll" "$BARE_PORT"
BARE_PID=$LAST_PID
start_app homeroom "$OUT_DIR/homeroom/Homeroom.dll" "$HOMEROOM_PORT" "${HOMEROOM_ARGS[@]}"
HOMEROOM_PID=$LAST_PID
BARE_URL="http://127.0.0.1:$BARE_PORT"
BASE_URL="http://127.0.0.1:$HOMEROOM_PORT"
wait_for_http "$BARE_URL/health" "$BARE_PID" "$WORK/bare/app.log"
wait_for_http "$BASE_URL/health" "$HOMEROOM_PID" "$WORK/homeroom/app.log"

# Endpoint setup steps use api, json_get and new_teacher from bench/lib.sh (see bench/README.md).

echo "== Signing up the bench teacher"
BENCH_TOKEN=$(new_teacher bench)
[[ -n $BENCH_TOKEN ]] || { echo "run.sh: login returned no accessToken" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Endpoints: each bench/endpoints/NAME.sh sets METHOD, URL_PATH, optional BODY/CONTENT_TYPE and
# may define setup(), which runs now (after sign-up) and may set them itself. An optional
# bench/endpoints/NAME.lua is appended to the generated wrk script.
# ---------------------------------------------------------------------------------------------
lua_string() { printf '[==[%s]==]' "$1"; }

declare -A T_LABEL T_URL T_SCRIPT T_METHOD T_PATH
TARGETS=(bare health)
T_LABEL[bare]="bare /health"; T_URL[bare]="$BARE_URL/health"; T_SCRIPT[bare]=""; T_METHOD[bare]=GET; T_PATH[bare]=/health
T_LABEL[health]="Homeroom /health"; T_URL[health]="$BASE_URL/health"; T_SCRIPT[health]=""; T_METHOD[health]=GET; T_PATH[health]=/health

for name in "${ENDPOINTS[@]}"; do
    # setup() may replace TOKEN (e.g. with new_teacher's) to measure as another teacher.
    METHOD=GET URL_PATH="" BODY="" CONTENT_TYPE=application/json TOKEN=$BENCH_TOKEN LUA_PRELUDE=""
    unset -f setup
    # shellcheck source=/dev/null
    source "$ENDPOINTS_DIR/$name.sh"
    if declare -F setup >/dev/null; then
        echo "== Setting up '$name'"
        setup
    fi
    [[ $URL_PATH == /* ]] || { echo "run.sh: endpoint '$name' set no URL_PATH" >&2; exit 1; }
    script="$WORK/$name.lua"
    {
        echo "-- generated by bench/run.sh for endpoint '$name'"
        echo "token = $(lua_string "$TOKEN")"
        echo "wrk.method = $(lua_string "$METHOD")"
        echo "wrk.headers[\"Authorization\"] = \"Bearer \" .. token"
        if [[ -n $BODY ]]; then
            echo "wrk.body = $(lua_string "$BODY")"
            echo "wrk.headers[\"Content-Type\"] = $(lua_string "$CONTENT_TYPE")"
        fi
        # setup() may hand the endpoint's Lua some data (ids it created) in LUA_PRELUDE.
        if [[ -n $LUA_PRELUDE ]]; then echo "$LUA_PRELUDE"; fi
        if [[ -f $ENDPOINTS_DIR/$name.lua ]]; then cat "$ENDPOINTS_DIR/$name.lua"; fi
    } >"$script"
    TARGETS+=("$name")
    T_LABEL[$name]="$name ($METHOD $URL_PATH)"
    T_URL[$name]="$BASE_URL$URL_PATH"
    T_SCRIPT[$name]=$script
    T_METHOD[$name]=$METHOD
    T_PATH[$name]=$URL_PATH

    # One request by hand first: a wrong path or body fails here, with the answer shown.
    probe=(-sS -o "$WORK/probe.body" -w '%{http_code}' -X "$METHOD" -H "Authorization: Bearer $TOKEN" --max-time 30)
    [[ -n $BODY ]] && probe+=(-H "Content-Type: $CONTENT_TYPE" --data-binary "$BODY")
    status=$(curl "${probe[@]}" "$BASE_URL$URL_PATH") || status="no answer ($status)"
    if [[ $status != 2?? ]]; then
        echo "run.sh: probe $METHOD $URL_PATH answered $status: $(head -c 500 "$WORK/probe.body")" >&2
        exit 1
    fi
done

# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------
# run_wrk TARGET DURATION LOGFILE
run_wrk() {
    local target=$1 duration=$2 log=$3
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency)
    [[ -n ${T_SCRIPT[$target]} ]] && args+=(-s "${T_SCRIPT[$target]}")
    # In the background with `wait`, so that a Ctrl-C or kill interrupts the script at once (bash
    # would otherwise wait for wrk, and ignore the SIGINT altogether since wrk exits normally on it).
    wrk "${args[@]}" "${T_URL[$target]}" >"$log" 2>&1 &
    WRK_PID=$!
    local status=0
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    ((status == 0)) || { echo "run.sh: wrk failed ($status):" >&2; cat "$log" >&2; return 1; }
}

# parse_wrk LOGFILE: prints "rps p50_ms p99_ms non2xx socket_errors requests".
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return v * 0.001
            if (v ~ /ms$/) return v + 0
            if (v ~ /m$/)  return v * 60000
            if (v ~ /s$/)  return v * 1000
            return v + 0
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        / requests in / { requests = $1 }
        /^ *Socket errors:/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
        /^ *Non-2xx or 3xx responses:/ { non = $NF }
        /^Requests\/sec:/ { rps = $2 }
        END { printf "%s %s %s %d %d %d\n", rps, p50, p99, non, sock, requests }
    ' "$1"
}

declare -A R_RPS R_P50 R_P99 R_NON R_SOCK R_REQ   # keyed "target:round"
cores=$(nproc)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git -C "$REPO_DIR" rev-parse --verify -q --short HEAD 2>/dev/null || echo "none")
run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

echo "== $run_date  $cores cores  load $load_before  commit $commit  db $DB"
echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS rounds, warm-up $WARMUP per target"
if awk -v l="${load_before%% *}" -v c="$cores" 'BEGIN { exit !(l > c / 2) }'; then
    echo "   warning: the machine is already busy (1-minute load ${load_before%% *} on $cores cores); absolute figures will be low, trust the ratios"
fi
if [[ $WARMUP != 0 && $WARMUP != 0s && $WARMUP != 0m ]]; then
    for target in "${TARGETS[@]}"; do
        echo "   warm-up   ${T_LABEL[$target]}"
        run_wrk "$target" "$WARMUP" "$RUN_LOG_DIR/warmup-$target.txt"
    done
fi
for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        log="$RUN_LOG_DIR/round$round-$target.txt"
        run_wrk "$target" "$DURATION" "$log"
        read -r rps p50 p99 non sock reqs < <(parse_wrk "$log")
        [[ -n $rps ]] || { echo "run.sh: could not read wrk's output:" >&2; cat "$log" >&2; exit 1; }
        key="$target:$round"
        R_RPS[$key]=$rps; R_P50[$key]=$p50; R_P99[$key]=$p99; R_NON[$key]=$non; R_SOCK[$key]=$sock; R_REQ[$key]=$reqs
        printf '   round %d  %-32s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %d  socket errors %d\n' \
            "$round" "${T_LABEL[$target]}" "$rps" "$p50" "$p99" "$non" "$sock"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------
# stats VALUES...: prints "mean median min max".
stats() {
    printf '%s\n' "$@" | sort -g | awk '
        { v[NR] = $1; sum += $1 }
        END {
            median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6f %.6f %.6f %.6f\n", sum / NR, median, v[1], v[NR]
        }'
}

declare -A S_MEAN S_MEDIAN S_MIN S_MAX S_P50 S_P99 S_NON S_SOCK S_REQ S_ROUNDS
for target in "${TARGETS[@]}"; do
    rps=() p50s=() p99s=() non=0 sock=0 reqs=0
    for round in $(seq "$ROUNDS"); do
        key="$target:$round"
        rps+=("${R_RPS[$key]}"); p50s+=("${R_P50[$key]}"); p99s+=("${R_P99[$key]}")
        non=$((non + ${R_NON[$key]})); sock=$((sock + ${R_SOCK[$key]})); reqs=$((reqs + ${R_REQ[$key]}))
    done
    read -r "S_MEAN[$target]" "S_MEDIAN[$target]" "S_MIN[$target]" "S_MAX[$target]" < <(stats "${rps[@]}")
    read -r _ "S_P50[$target]" _ _ < <(stats "${p50s[@]}")
    read -r _ "S_P99[$target]" _ _ < <(stats "${p99s[@]}")
    S_NON[$target]=$non; S_SOCK[$target]=$sock; S_REQ[$target]=$reqs
    S_ROUNDS[$target]=$(printf '%.0f/' "${rps[@]}"); S_ROUNDS[$target]=${S_ROUNDS[$target]%/}
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "null" }'; }

# paired_ratio TARGET BASE: median over the rounds of TARGET's req/s divided by BASE's req/s in the
# same round (measured seconds apart, so slow drifts in the machine's speed mostly cancel out).
paired_ratio() {
    local round key ratios=()
    for round in $(seq "$ROUNDS"); do
        ratios+=("$(ratio "${R_RPS[$1:$round]}" "${R_RPS[$2:$round]}")")
    done
    stats "${ratios[@]}" | awk '{ printf "%.3f", $2 }'
}

declare -A X_BARE X_HEALTH
for target in "${TARGETS[@]}"; do
    X_BARE[$target]=$(paired_ratio "$target" bare)
    if [[ $target == bare ]]; then X_HEALTH[$target]=null; else X_HEALTH[$target]=$(paired_ratio "$target" health); fi
done

echo
echo "Homeroom ($DB) — $run_date — $cores cores — wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS rounds"
echo "req/s: median and mean of the rounds (each round in brackets); p50/p99: median of the rounds' figures."
echo "x bare, x health: req/s divided by bare /health's or Homeroom /health's in the same round, median over rounds."
fmt='%-28s %8s %8s  %-23s %7s %7s %7s %6s %7s %8s\n'
# shellcheck disable=SC2059
printf "$fmt" target median mean "(req/s by round)" "p50 ms" "p99 ms" non-2xx errors "x bare" "x health"
# shellcheck disable=SC2059
printf "$fmt" ---------------------------- -------- -------- ----------------------- ------- ------- ------- ------ ------- --------
failed=()
for target in "${TARGETS[@]}"; do
    # shellcheck disable=SC2059
    printf "$fmt" "${T_LABEL[$target]}" "$(printf '%.0f' "${S_MEDIAN[$target]}")" "$(printf '%.0f' "${S_MEAN[$target]}")" \
        "(${S_ROUNDS[$target]})" "$(printf '%.2f' "${S_P50[$target]}")" "$(printf '%.2f' "${S_P99[$target]}")" \
        "${S_NON[$target]}" "${S_SOCK[$target]}" "${X_BARE[$target]}" "${X_HEALTH[$target]/null/-}"
    if [[ ${S_NON[$target]} -gt 0 || ${S_SOCK[$target]} -gt 0 ]]; then failed+=("${T_LABEL[$target]}"); fi
done
echo "load average before/after: $load_before / $load_after; raw wrk output in ${RUN_LOG_DIR#"$REPO_DIR"/}/"

if [[ -n $JSON_FILE ]]; then
    {
        echo "{"
        echo "  \"date\": \"$run_date\","
        echo "  \"commit\": \"$commit\","
        echo "  \"db\": \"$DB\","
        echo "  \"cores\": $cores,"
        echo "  \"loadBefore\": \"$load_before\", \"loadAfter\": \"$load_after\","
        echo "  \"wrk\": {\"threads\": $THREADS, \"connections\": $CONNECTIONS, \"duration\": \"$DURATION\", \"warmup\": \"$WARMUP\", \"rounds\": $ROUNDS},"
        echo "  \"results\": ["
        sep=""
        for target in "${TARGETS[@]}"; do
            rounds_json=$(for round in $(seq "$ROUNDS"); do
                key="$target:$round"
                printf '{"rps": %s, "p50Ms": %s, "p99Ms": %s, "non2xx": %s, "socketErrors": %s, "requests": %s}\n' \
                    "${R_RPS[$key]}" "${R_P50[$key]}" "${R_P99[$key]}" "${R_NON[$key]}" "${R_SOCK[$key]}" "${R_REQ[$key]}"
            done | awk 'NR > 1 { printf ", " } { printf "%s", $0 }')
            printf '%s    {"name": "%s", "label": "%s", "method": "%s", "path": "%s",\n' "$sep" "$target" "${T_LABEL[$target]}" "${T_METHOD[$target]}" "${T_PATH[$target]}"
            printf '     "rpsMean": %.2f, "rpsMedian": %.2f, "rpsMin": %.2f, "rpsMax": %.2f, "p50Ms": %.3f, "p99Ms": %.3f,\n' \
                "${S_MEAN[$target]}" "${S_MEDIAN[$target]}" "${S_MIN[$target]}" "${S_MAX[$target]}" "${S_P50[$target]}" "${S_P99[$target]}"
            printf '     "non2xx": %d, "socketErrors": %d, "requests": %d, "ratioToBare": %s, "ratioToHealth": %s,\n' \
                "${S_NON[$target]}" "${S_SOCK[$target]}" "${S_REQ[$target]}" "${X_BARE[$target]}" "${X_HEALTH[$target]}"
            printf '     "rounds": [%s]}' "$rounds_json"
            sep=$',\n'
        done
        echo
        echo "  ]"
        echo "}"
    } >"$JSON_FILE"
    echo "figures written to $JSON_FILE"
fi

if ((${#failed[@]})); then
    printf 'FAILED: socket errors or non-2xx responses from: %s (see the raw wrk output)\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
    exit 1
fi
