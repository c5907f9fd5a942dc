// One load-generator process: a share of the game's players, each its own SignalR connection
// (WebSockets, no negotiation round trip), driven by game.mjs over IPC. See bench/README.md.
//
// A player joins with a nickname, answers every question at a random moment of the answer window
// (a random choice), and records when each event arrives (process.hrtime: CLOCK_MONOTONIC, the same
// clock in every process on the machine, so game.mjs can subtract the host's Next() time from it) and
// how long each Answer took from invoke to completion (the server acknowledges only once the answer is
// durably stored).

import * as signalR from "@microsoft/signalr";
import { monitorEventLoopDelay } from "node:perf_hooks";

const now = () => Number(process.hrtime.bigint()) / 1e6;

let cfg = null;            // { url, pin, first, count, questions, windowMs, concurrency }
const players = [];        // local index -> player
let perQuestion = [];      // per question: arrival times and ack latencies, indexed by local player
const errors = new Map();  // "where: message" -> count
let joinedCount = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

function error(where, e) {
    const message = `${where}: ${e?.message ?? e}`.replace(/\s+/g, " ").slice(0, 300);
    errors.set(message, (errors.get(message) ?? 0) + 1);
}

// Nicknames of 2s and 6s only: the server's blocked-word check reads most digits as letters
// (7 as t, 1 as i, 5 as s...) and "Bot 7175" would read as a word it refuses; 2 and 6 it drops.
function nickname(i) {
    return "Bot " + i.toString(2).replace(/0/g, "2").replace(/1/g, "6");
}

function question(q) {
    const n = cfg.count;
    const nan = () => new Float64Array(n).fill(NaN);
    return {
        questionAt: nan(), openAt: nan(), resultAt: nan(), leaderboardAt: nan(), ackMs: nan(), answerAt: nan(), serverMs: nan(),
        endedAt: nan(), acked: 0, failed: 0, results: 0, leaderboards: 0, opened: 0,
        reported: false, boardReported: false, openReported: false, q,
    };
}

function send(message) {
    process.send(message);
}

// Tells game.mjs once every joined player has an answer outcome and a result for question q.
function checkQuestion(q) {
    const s = perQuestion[q];
    if (!s.reported && s.results >= joinedCount && s.acked + s.failed >= joinedCount) {
        s.reported = true;
        send({ type: "questionDone", q });
    }
}

let podiums = 0;
let gameOvers = 0;
let overReported = false;
function checkOver() {
    if (!overReported && podiums >= joinedCount && gameOvers >= joinedCount) {
        overReported = true;
        send({ type: "overDone" });
    }
}

function newPlayer(k) {
    const i = cfg.first + k;
    const connection = new signalR.HubConnectionBuilder()
        .withUrl(cfg.url, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
        .configureLogging(signalR.LogLevel.None)
        .build();
    const player = { k, i, connection, id: 0, joined: false, closing: false };
    connection.on("question", m => {
        const s = perQuestion[m.index];
        if (s) s.questionAt[k] = now();
    });
    connection.on("answersOpen", m => {
        const at = now();
        const s = perQuestion[m.index];
        if (!s) return;
        if (Number.isNaN(s.openAt[k])) s.opened++;
        s.openAt[k] = at;
        if (!s.openReported && s.opened >= joinedCount) {
            s.openReported = true;
            send({ type: "openDone", q: m.index });
        }
        const choices = m.answers ?? [];
        const choice = choices.length ? choices[Math.floor(Math.random() * choices.length)].id : 0;
        setTimeout(() => {
            const started = now();
            s.answerAt[k] = started;
            connection.invoke("Answer", m.index, choice).then(
                ack => {
                    s.ackMs[k] = now() - started;
                    s.serverMs[k] = ack?.timeMs;
                    if (ack?.questionIndex !== m.index) error(`ack q${m.index}`, `acknowledged question ${ack?.questionIndex}`);
                    s.acked++;
                    checkQuestion(m.index);
                },
                e => {
                    error(`answer q${m.index}`, e);
                    s.failed++;
                    checkQuestion(m.index);
                });
        }, Math.random() * cfg.windowMs);
    });
    connection.on("questionEnded", m => {
        const s = perQuestion[m.index];
        if (s) s.endedAt[k] = now();
    });
    connection.on("result", m => {
        const s = perQuestion[m.index];
        if (!s) return;
        if (Number.isNaN(s.resultAt[k])) s.results++;
        s.resultAt[k] = now();
        checkQuestion(m.index);
    });
    connection.on("leaderboard", m => {
        const s = perQuestion[m.index];
        if (!s) return;
        if (Number.isNaN(s.leaderboardAt[k])) s.leaderboards++;
        s.leaderboardAt[k] = now();
        if (!s.boardReported && s.leaderboards >= joinedCount) {
            s.boardReported = true;
            send({ type: "leaderboardDone", q: m.index });
        }
    });
    connection.on("podium", () => { podiums++; checkOver(); });
    connection.on("gameOver", () => { gameOvers++; checkOver(); });
    connection.on("kicked", m => error("kicked", m?.message));
    connection.on("gameClosed", m => error("gameClosed", m?.message));
    connection.onclose(e => {
        if (!player.closing) error("connection closed", e ?? "by the server");
    });
    return player;
}

async function joinAll() {
    const started = now();
    const joinMs = new Float64Array(cfg.count).fill(NaN);
    let next = 0;
    async function lane() {
        while (next < cfg.count) {
            const k = next++;
            const player = newPlayer(k);
            players[k] = player;
            const t = now();
            try {
                await player.connection.start();
                const joined = await player.connection.invoke("Join", cfg.pin, nickname(player.i));
                player.id = joined.playerId;
                player.joined = true;
                joinedCount++;
                joinMs[k] = now() - t;
            } catch (e) {
                error("join", e);
            }
        }
    }
    await Promise.all(Array.from({ length: Math.max(1, cfg.concurrency) }, lane));
    send({ type: "joined", joined: joinedCount, failed: cfg.count - joinedCount, ms: now() - started, joinMs });
}

process.on("message", async message => {
    switch (message.type) {
        case "init":
            cfg = message.config;
            perQuestion = Array.from({ length: cfg.questions }, (_, q) => question(q));
            loopDelay.enable();
            send({ type: "ready", pid: process.pid });
            break;
        case "join":
            await joinAll();
            break;
        case "stats":
            send({
                type: "stats",
                cpu: process.cpuUsage(),
                rss: process.memoryUsage().rss,
                loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
            });
            if (message.reset) loopDelay.reset();
            break;
        case "report":
            send({
                type: "report",
                perQuestion: perQuestion.map(s => ({
                    questionAt: s.questionAt, openAt: s.openAt, ackMs: s.ackMs, answerAt: s.answerAt, serverMs: s.serverMs, resultAt: s.resultAt,
                    endedAt: s.endedAt, leaderboardAt: s.leaderboardAt, acked: s.acked, failed: s.failed,
                    results: s.results, leaderboards: s.leaderboards,
                })),
                podiums, gameOvers, joined: joinedCount,
                errors: [...errors.entries()],
            });
            break;
        case "close":
            for (const p of players) if (p) p.closing = true;
            await Promise.allSettled(players.filter(Boolean).map(p => p.connection.stop()));
            send({ type: "closed" });
            process.exit(0);
    }
});

process.on("disconnect", () => process.exit(0));
