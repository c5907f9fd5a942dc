# Shared by the bench scripts (bench/run.sh, bench/game.sh): sourced, never run. See bench/README.md.
#
# The sourcing script sets BENCH_NAME (used in messages), OUT_DIR and, before starting anything, WORK
# (mktemp -d) and RUN_LOG_DIR; it may define cleanup_hook, which runs first on exit (to stop a load
# generator). Then:
#   trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
#   free_port VAR                    a free 127.0.0.1 port below the ephemeral range
#   start_postgres                   a throwaway cluster: PG_BIN, PG_PORT, PG_DIR, PG_PID
#   start_app NAME DLL PORT ARGS...  a published app in $WORK/NAME, in its own session: LAST_PID
#   wait_for_http URL PID LOG        until URL answers 2xx (or the process dies, or 60 s)
#   stop_pid PID                     TERM, then KILL after 10 s
#   api METHOD PATH [JSON]           Homeroom at $BASE_URL with $TOKEN; body on stdout; fails unless 2xx
#   json_get KEY                     a top-level string or number of the JSON on stdin
#   new_teacher USERNAME             signs a teacher up and prints a bearer access token
# Everything started is stopped, the services' logs are copied to RUN_LOG_DIR and the temp dirs are
# removed on exit, normal or not.

BENCH_NAME=${BENCH_NAME:-${0##*/}}
WORK=""            # temp dir for this run: working dirs, logs, scripts
PG_DIR=""          # temp dir of the throwaway PostgreSQL cluster (owned by postgres)
PG_BIN=""
PG_PORT=""
PG_PID=""          # the runuser process whose child is the postmaster
PIDS=()            # service processes we started
LAST_PID=""

die() { echo "$BENCH_NAME: $*" >&2; exit 2; }

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    local pid log
    declare -F cleanup_hook >/dev/null && cleanup_hook
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n $PG_DIR && -f $PG_DIR/data/postmaster.pid ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1
    fi
    [[ -n $PG_PID ]] && stop_pid "$PG_PID"
    # Keep the services' logs next to the raw output of the run.
    if [[ -n ${RUN_LOG_DIR-} && -d ${RUN_LOG_DIR-} ]]; then
        if [[ -n $WORK ]]; then
            for log in "$WORK"/*/app.log; do
                [[ -f $log ]] && cp "$log" "$RUN_LOG_DIR/$(basename "$(dirname "$log")").log"
            done
        fi
        [[ -n $PG_DIR && -f $PG_DIR/server.log ]] && cp "$PG_DIR/server.log" "$RUN_LOG_DIR/postgres.log"
    fi
    [[ -n $PG_DIR ]] && rm -rf "$PG_DIR"
    [[ -n $WORK ]] && rm -rf "$WORK"
    exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Ports and processes
# ---------------------------------------------------------------------------------------------
TAKEN_PORTS=" "
# free_port VAR: sets VAR to a 127.0.0.1 port nobody listens on (and not handed out before), taken
# from below the kernel's ephemeral range so that no outgoing connection can be holding it.
EPHEMERAL_LOW=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
if ((EPHEMERAL_LOW > 12000)); then PORT_LOW=10000 PORT_SPAN=$((EPHEMERAL_LOW - 10000)); else PORT_LOW=20000 PORT_SPAN=40000; fi
free_port() {
    local port
    for _ in $(seq 200); do
        port=$((PORT_LOW + RANDOM % PORT_SPAN))
        [[ $TAKEN_PORTS == *" $port "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            TAKEN_PORTS+="$port "
            printf -v "$1" '%s' "$port"
            return 0
        fi
    done
    echo "$BENCH_NAME: no free port found" >&2
    return 1
}

# wait_for_http URL PID LOG: until URL answers 2xx, or the process dies, or 60 s pass.
wait_for_http() {
    local url=$1 pid=$2 log=$3
    for _ in $(seq 300); do
        if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$BENCH_NAME: the process serving $url exited; its log:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$BENCH_NAME: $url did not answer within 60 s; log:" >&2
    cat "$log" >&2
    return 1
}

start_postgres() {
    local versions
    versions=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V || true)
    [[ -n $versions ]] || die "--db postgres needs PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)"
    PG_BIN=$(tail -n1 <<<"$versions")
    free_port PG_PORT
    PG_DIR=$(mktemp -d /tmp/homeroom-bench-pg.XXXXXX)
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown postgres: "$PG_DIR"
    echo "== Starting PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U homeroom --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    # The postmaster runs as our own (grand)child rather than daemonized by `pg_ctl start`: on machines
    # whose PID 1 does not reap orphans, a daemonized postmaster lingers as a zombie after it stops.
    # `pg_ctl stop` (in cleanup) still shuts it down; runuser reaps it and we reap runuser.
    setsid runuser -u postgres -- "$PG_BIN/postgres" -D "$PG_DIR/data" \
        -c listen_addresses=127.0.0.1 -p "$PG_PORT" -k "$PG_DIR" "$@" >"$PG_DIR/server.log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 300); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U homeroom && return 0
        kill -0 "$PG_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "$BENCH_NAME: PostgreSQL did not start; its log:" >&2
    cat "$PG_DIR/server.log" >&2
    exit 1
}

# start_app NAME DLL PORT ARGS...: runs a published app from its own fresh working directory.
# Services run in their own session (setsid), so a Ctrl-C reaches only this script, which then
# stops them in order; the same goes for PostgreSQL. LAST_PID is the app's own process (setsid
# execs it in place, since a background subshell is not a process-group leader).
start_app() {
    local name=$1 dll=$2 port=$3
    shift 3
    local dir="$WORK/$name"
    mkdir -p "$dir"
    (
        cd "$dir"
        export ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
        # --contentRoot keeps appsettings.json (the shipped configuration) in force; relative paths
        # such as data/homeroom.db resolve against the working directory, i.e. this temp dir.
        exec setsid dotnet "$dll" --contentRoot "$(dirname "$dll")" --urls "http://127.0.0.1:$port" \
            --Logging:LogLevel:Default=Warning "$@"
    ) >"$dir/app.log" 2>&1 &
    PIDS+=("$!")
    LAST_PID=$!
}

# ---------------------------------------------------------------------------------------------
# Talking to Homeroom
# ---------------------------------------------------------------------------------------------

# api METHOD PATH [JSON]: calls Homeroom as $TOKEN's teacher; prints the body; fails unless 2xx.
api() {
    local method=$1 path=$2 body=${3-} status
    local args=(-sS -o "$WORK/api.body" -w '%{http_code}' -X "$method" --max-time 30)
    [[ -n ${TOKEN-} ]] && args+=(-H "Authorization: Bearer $TOKEN")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    status=$(curl "${args[@]}" "$BASE_URL$path") || { echo "$BENCH_NAME: $method $path failed" >&2; return 1; }
    if [[ $status != 2?? ]]; then
        echo "$BENCH_NAME: $method $path answered $status: $(head -c 500 "$WORK/api.body")" >&2
        return 1
    fi
    cat "$WORK/api.body"
}

# json_get KEY < JSON: a top-level string or number (jq when installed, else a plain pattern match).
json_get() {
    if command -v jq >/dev/null; then
        jq -er --arg k "$1" '.[$k]'
    else
        sed -n -E "s/.*\"$1\"[[:space:]]*:[[:space:]]*(\"([^\"]*)\"|([-0-9.eE+]+)).*/\2\3/p" | head -n1
    fi
}

# new_teacher USERNAME: signs a teacher up and prints a bearer access token for them.
new_teacher() {
    local user=$1 password="bench-password-$RANDOM$RANDOM" login
    local credentials="{\"username\":\"$user\",\"password\":\"$password\"}"
    TOKEN="" api POST /api/auth/signup "$credentials" >/dev/null
    login=$(TOKEN="" api POST /api/auth/login "$credentials")
    json_get accessToken <<<"$login"
}
