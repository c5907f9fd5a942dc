// The live-game load test: one host and N players in one game on a running Homeroom, on loopback.
// Run through bench/game.sh, which starts the service and creates the teacher, quiz and game; see
// bench/README.md.
//
//   node game.mjs --url http://127.0.0.1:PORT --game-id ID --pin PIN --token TOKEN --players N
//                 [--questions 5] [--workers 1] [--window-ms 5000] [--read-seconds 0] [--concurrency 100]
//                 [--server-pid PID] [--json FILE]
//
// The host connects here; the players are spread over --workers child processes (players.mjs). The
// host starts the game, and for each question: host Next() (Start() for the first) → every player's
// `question` and `answersOpen` (fan-out, measured from just before the host's call, plus the reading
// time for answersOpen) → every player
// answers at a random moment of the window (ack latency: invoke → completion) → the question closes
// when all have answered → `questionEnded` and each player's `result` → host Next() → `leaderboard` →
// host Next() → the next question; after the last leaderboard, Next() (End() when the quiz has more
// questions) → `podium` and each `gameOver`, then End(). Server CPU and memory come from /proc/PID of the service; the load generator's own CPU
// from every process of it. Prints the figures and writes them as JSON; exits 1 when any check failed.

import { fork, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as signalR from "@microsoft/signalr";

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// ---- Options ------------------------------------------------------------------------------------
const options = { questions: 5, workers: 1, "window-ms": 5000, concurrency: 100, "time-limit": 20, "read-seconds": 0 };
for (let i = 2; i < process.argv.length; i += 2) {
    const key = process.argv[i].replace(/^--/, "");
    options[key] = process.argv[i + 1];
}
for (const required of ["url", "game-id", "pin", "token", "players"]) {
    if (!options[required]) {
        console.error(`game.mjs: --${required} is required`);
        process.exit(2);
    }
}
const N = Number(options.players);
const Q = Number(options.questions);
const W = Math.max(1, Math.min(Number(options.workers), N));
const windowMs = Number(options["window-ms"]);
const concurrency = Number(options.concurrency);
const timeLimitMs = Number(options["time-limit"]) * 1000;
const readMs = Number(options["read-seconds"]) * 1000;
const serverPid = options["server-pid"] ? Number(options["server-pid"]) : null;
const hubUrl = options.url.replace(/\/$/, "") + "/hubs/game";

const failures = [];       // what makes the run fail, in words
function fail(message) {
    failures.push(message);
    console.error(`   FAIL: ${message}`);
}

// ---- The service's process ------------------------------------------------------------------------
const ticks = (() => {
    try { return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100; } catch { return 100; }
})();

function serverCpuSeconds() {
    if (!serverPid) return NaN;
    const stat = readFileSync(`/proc/${serverPid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ", fields start at field 3 (state); utime is field 14, stime 15.
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / ticks;
}

function serverMemoryKB() {
    if (!serverPid) return { rss: NaN, hwm: NaN };
    const status = readFileSync(`/proc/${serverPid}/status`, "utf8");
    const field = name => Number((status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m")) ?? [])[1]);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

// ---- Statistics --------------------------------------------------------------------------------
function summary(values) {
    const v = Float64Array.from(values.filter(x => Number.isFinite(x))).sort();
    const at = p => (v.length ? v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)] : NaN);
    return { count: v.length, p50: at(50), p95: at(95), p99: at(99), max: v.length ? v[v.length - 1] : NaN };
}

// ---- Workers -----------------------------------------------------------------------------------
const workers = [];
function startWorkers() {
    let first = 1;
    for (let w = 0; w < W; w++) {
        const count = Math.floor(N / W) + (w < N % W ? 1 : 0);
        const child = fork(new URL("./players.mjs", import.meta.url), [], { serialization: "advanced" });
        const worker = { child, first, count, inbox: [], done: {}, exited: false };
        child.on("message", m => worker.inbox.push(m));
        child.on("exit", code => {
            worker.exited = true;
            if (code !== 0 && !closing) fail(`player process ${w + 1} exited with code ${code}`);
        });
        child.send({
            type: "init",
            config: { url: hubUrl, pin: options.pin, first, count, questions: Q, windowMs, concurrency: Math.ceil(concurrency / W) },
        });
        workers.push(worker);
        first += count;
    }
}

// Waits until every worker has sent a message of this type (and, if given, this question).
async function fromAll(type, q, timeoutMs) {
    const deadline = now() + timeoutMs;
    const match = m => m.type === type && (q === undefined || m.q === q);
    const found = new Array(W).fill(null);
    for (;;) {
        for (let w = 0; w < W; w++) {
            if (!found[w]) {
                const i = workers[w].inbox.findIndex(match);
                if (i >= 0) found[w] = workers[w].inbox.splice(i, 1)[0];
            }
        }
        if (found.every(Boolean)) return found;
        if (now() > deadline || workers.some(w => w.exited)) {
            fail(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for "${type}"${q === undefined ? "" : ` of question ${q + 1}`} from ${found.filter(f => !f).length} of ${W} player processes`);
            return found;
        }
        await sleep(5);
    }
}

async function clientStats(reset = false) {
    workers.forEach(w => w.child.send({ type: "stats", reset }));
    const stats = await fromAll("stats", undefined, 30000);
    const self = process.cpuUsage();
    const cpu = stats.reduce((sum, s) => sum + (s ? (s.cpu.user + s.cpu.system) / 1e6 : 0), (self.user + self.system) / 1e6);
    return { cpu, stats };
}

// ---- The host ----------------------------------------------------------------------------------
const host = {
    joined: 0, ended: new Map(), boards: new Map(), podium: null,
    connection: new signalR.HubConnectionBuilder()
        .withUrl(hubUrl, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true, accessTokenFactory: () => options.token })
        .configureLogging(signalR.LogLevel.None)
        .build(),
};
host.connection.on("playerJoined", () => host.joined++);
host.connection.on("questionEnded", m => host.ended.set(m.index, { at: now(), message: m }));
host.connection.on("leaderboard", m => host.boards.set(m.index, now()));
host.connection.on("podium", m => { host.podium = m; });
// The host is in the last group a fan-out goes to, and its process is idle: when its copy of a question
// arrives is about when the service has handed the question to every player's connection.
host.shownAt = new Map();
host.openAt = new Map();
host.connection.on("question", m => host.shownAt.set(m.index, now()));
host.connection.on("answersOpen", m => host.openAt.set(m.index, now()));
for (const event of ["answerCount", "playerLeft"]) host.connection.on(event, () => {});
let closing = false;
host.connection.onclose(e => { if (!closing) fail(`the host's connection closed: ${e?.message ?? "by the server"}`); });

async function hostCall(method, ...args) {
    try {
        return await host.connection.invoke(method, ...args);
    } catch (e) {
        fail(`host ${method}: ${e.message}`);
        return null;
    }
}

async function until(condition, timeoutMs, what) {
    const deadline = now() + timeoutMs;
    while (!condition()) {
        if (now() > deadline) {
            fail(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
            return false;
        }
        await sleep(5);
    }
    return true;
}

// ---- The run -----------------------------------------------------------------------------------
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
const result = { players: N, questions: Q, workers: W, windowMs, readMs, concurrency, serverPid, startedAt: new Date().toISOString(), loadBefore: loadAverage() };
const questionTimeout = timeLimitMs + windowMs + 60000;

await host.connection.start();
const hostState = await host.connection.invoke("Host", Number(options["game-id"]));
if (hostState.pin !== options.pin) fail(`Host returned PIN ${hostState.pin}, expected ${options.pin}`);

startWorkers();
await fromAll("ready", undefined, 30000);
const memBefore = serverMemoryKB();
const serverCpuBefore = serverCpuSeconds();
const clientBefore = await clientStats(true);

// Joins.
const joinStarted = now();
workers.forEach(w => w.child.send({ type: "join" }));
const joins = await fromAll("joined", undefined, 120000 + N * 30);
const joinedTotal = joins.reduce((sum, j) => sum + (j?.joined ?? 0), 0);
await until(() => host.joined >= joinedTotal, 60000, `the host to see ${joinedTotal} playerJoined events (saw ${host.joined})`);
const joinWallMs = now() - joinStarted;
const joinLatency = summary(joins.flatMap(j => (j ? Array.from(j.joinMs) : [])));
if (joinedTotal !== N) fail(`${N - joinedTotal} of ${N} players could not join`);
await sleep(500);
const memJoined = serverMemoryKB();
const serverCpuJoined = serverCpuSeconds();
const clientJoined = await clientStats(true);
result.join = { ms: joinWallMs, joined: joinedTotal, failed: N - joinedTotal, perSecond: joinedTotal / (joinWallMs / 1000), latencyMs: joinLatency };
console.log(`   joined ${joinedTotal}/${N} in ${(joinWallMs / 1000).toFixed(1)} s (join p50 ${joinLatency.p50.toFixed(1)} ms, p99 ${joinLatency.p99.toFixed(1)} ms); server RSS ${(memBefore.rss / 1024).toFixed(0)} → ${(memJoined.rss / 1024).toFixed(0)} MB`);

// The game.
const gameStarted = now();
const askedAt = [];        // just before the host's Start()/Next() that shows question q
const boardAskedAt = [];
// The service's CPU seconds per phase of each question: showing it (Next() until every player has its
// answers open), answering and results (until every answer is acknowledged and every result arrived),
// and the leaderboard.
const phaseCpu = { fanOut: [], answering: [], leaderboard: [] };
for (let q = 0; q < Q; q++) {
    const cpuAsked = serverCpuSeconds();
    askedAt[q] = now();
    await hostCall(q === 0 ? "Start" : "Next");
    await fromAll("openDone", q, questionTimeout);
    const cpuOpen = serverCpuSeconds();
    await fromAll("questionDone", q, questionTimeout);
    await until(() => host.ended.has(q), 30000, `the host's questionEnded for question ${q + 1}`);
    const cpuDone = serverCpuSeconds();
    boardAskedAt[q] = now();
    await hostCall("Next");
    await fromAll("leaderboardDone", q, 60000);
    await until(() => host.boards.has(q), 30000, `the host's leaderboard for question ${q + 1}`);
    phaseCpu.fanOut.push(cpuOpen - cpuAsked);
    phaseCpu.answering.push(cpuDone - cpuOpen);
    phaseCpu.leaderboard.push(serverCpuSeconds() - cpuDone);
    const ended = host.ended.get(q)?.message;
    console.log(`   question ${q + 1}/${Q}: ${ended?.answered ?? "?"} answered of ${ended?.players ?? "?"}, ` +
        `closed ${((host.ended.get(q)?.at - askedAt[q]) / 1000).toFixed(1)} s after Next()`);
}
// After the quiz's last question Next() brings the podium; a game stopped earlier (a warm-up plays two
// questions) ends with End(), which shows the podium too.
const podiumAskedAt = now();
await hostCall(Q < hostState.questionCount ? "End" : "Next");
await fromAll("overDone", undefined, 60000);
await until(() => host.podium !== null, 30000, "the host's podium");
const podiumMs = now() - podiumAskedAt;
await hostCall("End");
const gameWallMs = now() - gameStarted;
const serverCpuEnd = serverCpuSeconds();
const memEnd = serverMemoryKB();
const clientEnd = await clientStats();

// What every player saw.
workers.forEach(w => w.child.send({ type: "report" }));
const reports = (await fromAll("report", undefined, 60000)).filter(Boolean);
const errors = new Map();
for (const r of reports) for (const [message, count] of r.errors) errors.set(message, (errors.get(message) ?? 0) + count);

const all = (q, key) => reports.flatMap(r => Array.from(r.perQuestion[q][key]));
const fanQuestion = [], fanOpen = [], acks = [], resultSpread = [], boardFan = [], perQuestion = [];
// Ack latency by when the answer was sent: while the question was still going out to the others (before the
// last player had its answers open), in between, or in the last half second before the question closed
// (when the results go out).
const acksDuringFanOut = [], acksBetween = [], acksAtClose = [];
// Where an ack's time goes, roughly: the ack carries timeMs, the service's time from opening the answers to
// receiving the answer; the answers opened about readMs after the host's Next(), so the answer reached the
// service at about askedAt + readMs + timeMs (a little later, by the reading timer's own delay: "there" is
// under-, "back" overestimated by that much). "there": client invoke → service; "back": service → ack received.
const thereDuring = [], backDuring = [], thereAfter = [], backAfter = [];
let acked = 0, ackFailed = 0;
for (let q = 0; q < Q; q++) {
    const shown = all(q, "questionAt").map(t => t - askedAt[q]);
    // answersOpen goes out once the reading time has passed: measured from Next() + the reading time.
    const open = all(q, "openAt").map(t => t - askedAt[q] - readMs);
    const ack = all(q, "ackMs");
    const answerAt = all(q, "answerAt");
    const lastOpen = all(q, "openAt").reduce((m, t) => (t > m ? t : m), -Infinity);
    // The question closes on the last answer.
    const lastAnswer = answerAt.reduce((m, t) => (t > m ? t : m), -Infinity);
    answerAt.forEach((t, i) => (t < lastOpen ? acksDuringFanOut : t > lastAnswer - 500 ? acksAtClose : acksBetween).push(ack[i]));
    const serverMs = all(q, "serverMs");
    answerAt.forEach((t, i) => {
        const arrived = askedAt[q] + readMs + serverMs[i];
        (t < lastOpen ? thereDuring : thereAfter).push(arrived - t);
        (t < lastOpen ? backDuring : backAfter).push(t + ack[i] - arrived);
    });
    const endedAt = all(q, "endedAt");
    const firstEnded = endedAt.reduce((m, t) => (t < m ? t : m), Infinity);
    const results = all(q, "resultAt").map(t => t - firstEnded);
    const boards = all(q, "leaderboardAt").map(t => t - boardAskedAt[q]);
    fanQuestion.push(...shown); fanOpen.push(...open); acks.push(...ack); resultSpread.push(...results); boardFan.push(...boards);
    const qAcked = reports.reduce((s, r) => s + r.perQuestion[q].acked, 0);
    const qFailed = reports.reduce((s, r) => s + r.perQuestion[q].failed, 0);
    acked += qAcked; ackFailed += qFailed;
    const missing = {
        question: shown.filter(x => !Number.isFinite(x)).length,
        answersOpen: open.filter(x => !Number.isFinite(x)).length,
        questionEnded: endedAt.filter(x => !Number.isFinite(x)).length,
        result: results.filter(x => !Number.isFinite(x)).length,
        leaderboard: boards.filter(x => !Number.isFinite(x)).length,
    };
    for (const [event, count] of Object.entries(missing)) {
        if (count > 0) fail(`question ${q + 1}: ${count} players did not get "${event}"`);
    }
    if (qAcked !== joinedTotal) fail(`question ${q + 1}: ${qAcked} of ${joinedTotal} answers acknowledged (${qFailed} refused)`);
    const ended = host.ended.get(q)?.message;
    if (ended && ended.answered !== joinedTotal) fail(`question ${q + 1}: the server counted ${ended.answered} answers, expected ${joinedTotal}`);
    perQuestion.push({ fanOutMs: summary(shown), answersOpenMs: summary(open), ackMs: summary(ack), resultSpreadMs: summary(results), acked: qAcked, failed: qFailed, answered: ended?.answered });
}
const podiums = reports.reduce((s, r) => s + r.podiums, 0);
const gameOvers = reports.reduce((s, r) => s + r.gameOvers, 0);
if (podiums !== joinedTotal) fail(`${podiums} of ${joinedTotal} players got the podium`);
if (gameOvers !== joinedTotal) fail(`${gameOvers} of ${joinedTotal} players got gameOver`);
if (host.podium && host.podium.players !== joinedTotal) fail(`the podium counts ${host.podium.players} players, expected ${joinedTotal}`);
if (host.podium && host.podium.questions !== Q) fail(`the podium counts ${host.podium.questions} questions, expected ${Q}`);

const loop = s => s.stats.filter(Boolean).map(x => x.loopDelayMs);
result.ack = { ...summary(acks), acked, failed: ackFailed };
result.ackBySendTime = { duringFanOut: summary(acksDuringFanOut), between: summary(acksBetween), lastHalfSecond: summary(acksAtClose) };
result.ackSplit = {
    duringFanOut: { there: summary(thereDuring), back: summary(backDuring) },
    after: { there: summary(thereAfter), back: summary(backAfter) },
};
result.fanOut = { question: summary(fanQuestion), answersOpen: summary(fanOpen) };
result.hostCopyMs = {
    question: summary([...Array(Q).keys()].map(q => host.shownAt.get(q) - askedAt[q])),
    answersOpen: summary([...Array(Q).keys()].map(q => host.openAt.get(q) - askedAt[q] - readMs)),
};
result.resultSpreadMs = summary(resultSpread);
result.leaderboardFanOutMs = summary(boardFan);
result.podiumMs = podiumMs;
result.perQuestion = perQuestion;
result.server = {
    rssBeforeKB: memBefore.rss, rssJoinedKB: memJoined.rss, rssEndKB: memEnd.rss, peakRssKB: memEnd.hwm,
    kbPerPlayer: (memJoined.rss - memBefore.rss) / Math.max(1, joinedTotal),
    cpuJoinS: serverCpuJoined - serverCpuBefore, joinWallS: joinWallMs / 1000,
    cpuGameS: serverCpuEnd - serverCpuJoined, gameWallS: gameWallMs / 1000,
    cpuGamePct: (100 * (serverCpuEnd - serverCpuJoined)) / (gameWallMs / 1000),
    cpuPerQuestionS: Object.fromEntries(Object.entries(phaseCpu).map(([phase, list]) => [phase, list.reduce((a, b) => a + b, 0) / list.length])),
};
result.client = {
    processes: W + 1,
    cpuJoinS: clientJoined.cpu - clientBefore.cpu,
    cpuGameS: clientEnd.cpu - clientJoined.cpu,
    cpuGamePct: (100 * (clientEnd.cpu - clientJoined.cpu)) / (gameWallMs / 1000),
    rssMB: clientEnd.stats.filter(Boolean).reduce((s, x) => s + x.rss, 0) / 1048576,
    eventLoopDelayJoinMs: loop(clientJoined),
    eventLoopDelayGameMs: loop(clientEnd),
};
result.loadAfter = loadAverage();
result.errors = [...errors.entries()].map(([message, count]) => ({ message, count }));
result.failures = failures;
result.ok = failures.length === 0;

const ms = v => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0) : "-");
console.log(`   ack (invoke → durable ack): n=${result.ack.count} p50 ${ms(result.ack.p50)} p95 ${ms(result.ack.p95)} p99 ${ms(result.ack.p99)} max ${ms(result.ack.max)} ms; refused ${ackFailed}`);
console.log(`   ack by when sent: during the fan-out n=${result.ackBySendTime.duringFanOut.count} p99 ${ms(result.ackBySendTime.duringFanOut.p99)} ms; ` +
    `after it n=${result.ackBySendTime.between.count} p99 ${ms(result.ackBySendTime.between.p99)} ms; last 0.5 s before the close n=${result.ackBySendTime.lastHalfSecond.count} p99 ${ms(result.ackBySendTime.lastHalfSecond.p99)} ms`);
console.log(`   ack split (approximate): during the fan-out there p50 ${ms(result.ackSplit.duringFanOut.there.p50)} p99 ${ms(result.ackSplit.duringFanOut.there.p99)}, back p50 ${ms(result.ackSplit.duringFanOut.back.p50)} p99 ${ms(result.ackSplit.duringFanOut.back.p99)} ms; ` +
    `after it there p99 ${ms(result.ackSplit.after.there.p99)}, back p99 ${ms(result.ackSplit.after.back.p99)} ms`);
console.log(`   fan-out (host Next() → question): p50 ${ms(result.fanOut.question.p50)} p99 ${ms(result.fanOut.question.p99)} max ${ms(result.fanOut.question.max)} ms; → answersOpen p50 ${ms(result.fanOut.answersOpen.p50)} p99 ${ms(result.fanOut.answersOpen.p99)} ms`);
console.log(`   the host's own copy (sent after every player's): question max ${ms(result.hostCopyMs.question.max)} ms, answersOpen max ${ms(result.hostCopyMs.answersOpen.max)} ms`);
console.log(`   results (first questionEnded → each result): p50 ${ms(result.resultSpreadMs.p50)} p99 ${ms(result.resultSpreadMs.p99)} max ${ms(result.resultSpreadMs.max)} ms; leaderboard fan-out p99 ${ms(result.leaderboardFanOutMs.p99)} ms; podium+gameOver to all ${ms(podiumMs)} ms`);
console.log(`   server: ${result.server.kbPerPlayer.toFixed(1)} KB/player; CPU ${result.server.cpuJoinS.toFixed(1)} s joining, ${result.server.cpuGameS.toFixed(1)} s over the ${result.server.gameWallS.toFixed(1)} s game (${result.server.cpuGamePct.toFixed(0)} %); peak RSS ${(memEnd.hwm / 1024).toFixed(0)} MB`);
console.log(`   server CPU per question: ${result.server.cpuPerQuestionS.fanOut.toFixed(2)} s showing it, ${result.server.cpuPerQuestionS.answering.toFixed(2)} s answers and results, ${result.server.cpuPerQuestionS.leaderboard.toFixed(2)} s leaderboard`);
console.log(`   client (${W} player process${W > 1 ? "es" : ""} + host): CPU ${result.client.cpuJoinS.toFixed(1)} s joining, ${result.client.cpuGameS.toFixed(1)} s in the game (${result.client.cpuGamePct.toFixed(0)} %); event-loop delay p99 ${result.client.eventLoopDelayGameMs.map(d => ms(d.p99)).join("/")} ms, max ${result.client.eventLoopDelayGameMs.map(d => ms(d.max)).join("/")} ms`);
for (const { message, count } of result.errors.slice(0, 10)) console.log(`   error ×${count}: ${message}`);

if (options.json) writeFileSync(options.json, JSON.stringify(result, null, 2));

closing = true;
workers.forEach(w => w.child.send({ type: "close" }));
const closeBy = now() + 60000;
while (workers.some(w => !w.exited) && now() < closeBy) await sleep(20);
workers.forEach(w => { if (!w.exited) w.child.kill("SIGKILL"); });
await host.connection.stop();
process.exit(result.ok ? 0 : 1);
