// /games/{id}/host: the host's projector screen for a live game. It connects to the hub /hubs/game with
// the teacher's cookie, calls Host(id) and draws the game from the HostState it returns, so a reload (or a
// second screen) takes the game back where it is; from then on the hub's events move it along
// (protocol: docs/live-games.md). Nicknames are shown as text only: a player may call themselves
// "<script>…". Keyboard: Space/Enter start or go on (Next), F full screen, M sound on or off.
// Sound (js/sound.js): lobby music, the last five seconds ticking, a chord at the reveal and a fanfare at
// the podium, made in the browser; it starts at the host's first click or key press (browsers allow
// sound only after one) and the switch is remembered by the browser. Players' phones make no sound.
import { api, el, messageFor, requireSignIn, showBanner } from '/js/api.js';
import { confirmDialog } from '/js/classes-common.js';
import { createSound } from '/js/sound.js';

const SHAPES = ['▲', '◆', '●', '■', '★', '⬟'];
const TYPES = {
  single: 'Single choice',
  multi: 'Multiple select',
  truefalse: 'True or false',
  typeanswer: 'Type answer',
  order: 'Put in order',
  poll: 'Poll',
};
/** Names shown in the lobby at most; a school assembly can bring thousands. */
const LOBBY_NAMES = 300;

const gameId = Number((/^\/games\/(\d+)\/host\/?$/.exec(window.location.pathname) || [])[1]);
const stage = document.getElementById('stage');
const errorBanner = document.getElementById('error-banner');
const nextButton = document.getElementById('next');
const endButton = document.getElementById('end');
const announce = document.getElementById('announce');
const soundButton = document.getElementById('sound');
const sound = createSound();

const state = {
  info: null,
  phase: '',
  pin: '',
  index: -1,
  count: 0,
  /** Players in the game (not kicked), by id: {id, nickname, connected, score}. */
  players: new Map(),
  /** The open question (answersOpen): its answers' texts, which the results need. */
  open: null,
  busy: false,
};
let connection = null;
let ticker = 0;
let lobbyDraw = 0;

// ---- Helpers -------------------------------------------------------------------------------------

const points = (n) => Number(n || 0).toLocaleString();
const ordinal = (n) => {
  const v = n % 100;
  return n + (['th', 'st', 'nd', 'rd'][(v - 20) % 10] || ['th', 'st', 'nd', 'rd'][v] || 'th');
};
const plural = (n, one, many = one + 's') => `${points(n)} ${n === 1 ? one : many}`;

/** The sentence a hub refusal carries (the server's HubException message). */
function hubMessage(error) {
  const text = String(error?.message || error || '');
  const refusal = /HubException: ([\s\S]*)$/.exec(text);
  if (refusal) {
    return refusal[1].trim();
  }
  return /connect|websocket|negotiat|network/i.test(text)
    ? 'Lost the connection to the game. Check the network, then reload this page to take the game back.'
    : messageFor(error);
}

function say(text) {
  announce.textContent = text;
}

function timerBar(ms, total = ms) {
  const fill = el('span', { className: 'timer-fill' });
  if (ms > 0 && fill.animate) {
    const from = Math.min(1, ms / Math.max(total, 1));
    fill.animate([{ transform: `scaleX(${from})` }, { transform: 'scaleX(0)' }], { duration: ms, easing: 'linear', fill: 'forwards' });
  }
  return el('div', { className: 'timer', attrs: { 'aria-hidden': 'true' } }, [fill]);
}

/**
 * A big seconds counter that runs down to 0 (the server closes the question; this only shows it). Each
 * of the last five seconds ticks as it appears. start() runs it: call it after show(), which stops the
 * previous screen's counter (it used to be started before, so show() stopped it at once and it never moved).
 */
function countdown(ms) {
  const number = el('span', { className: 'countdown', attrs: { 'aria-label': 'Seconds left' } });
  const closesAt = Date.now() + ms;
  let shown = -1;
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((closesAt - Date.now()) / 1000));
    if (seconds !== shown) {
      shown = seconds;
      number.textContent = String(seconds);
      if (seconds >= 1 && seconds <= 5) {
        sound.tick(seconds);
      }
    }
  };
  return {
    number,
    start() {
      tick();
      ticker = window.setInterval(tick, 250);
    },
  };
}

function remember() {
  try {
    window.sessionStorage.setItem(`homeroom.host.${gameId}`, JSON.stringify(state.open));
  } catch {
    // Storage refused: after a reload the results show answer numbers instead of texts.
  }
}

function recall(index) {
  try {
    const open = JSON.parse(window.sessionStorage.getItem(`homeroom.host.${gameId}`) || 'null');
    return open && open.index === index ? open : null;
  } catch {
    return null;
  }
}

// ---- Drawing -------------------------------------------------------------------------------------

function show(phase, children, next) {
  window.clearInterval(ticker);
  window.cancelAnimationFrame(lobbyDraw);
  state.phase = phase;
  stage.dataset.phase = phase;
  sound.scene(phase === 'lobby' ? 'lobby' : null);
  stage.replaceChildren(...children.filter(Boolean));
  nextButton.hidden = !next;
  document.getElementById('legend-next').hidden = !next;
  if (next) {
    nextButton.textContent = next;
  }
  endButton.hidden = phase === 'podium' || phase === 'closed';
  const live = phase !== 'lobby' && phase !== 'podium' && phase !== 'closed';
  document.getElementById('top-pin').hidden = !live;
  document.getElementById('top-players').hidden = !live;
  renderCounts();
}

function renderCounts() {
  const count = state.players.size;
  document.getElementById('top-pin').textContent = `PIN ${state.pin}`;
  document.getElementById('top-players').textContent = plural(count, 'player');
  const lobbyCount = document.getElementById('player-count');
  if (lobbyCount) {
    lobbyCount.textContent = plural(count, 'player');
    nextButton.disabled = count === 0;
  } else {
    nextButton.disabled = false;
  }
}

function showLobby() {
  const info = state.info;
  let where = info.joinUrl;
  try {
    const url = new URL(info.joinUrl);
    where = `${url.host}${url.pathname}`;
  } catch {
    // Keep the URL as it is.
  }
  const qr = el('img', {
    className: 'qr',
    attrs: { id: 'qr', src: info.qrCodeUrl, alt: `QR code: scan it to join at ${info.joinUrl}`, width: 280, height: 280 },
  });
  show('lobby', [
    el('section', { className: 'lobby-join', attrs: { 'aria-label': 'How to join' } }, [
      el('div', { className: 'join-text' }, [
        el('p', { className: 'join-where' }, ['Join at ', el('strong', { text: where })]),
        el('p', { className: 'join-label', text: 'Game PIN' }),
        el('p', { className: 'pin', text: state.pin, attrs: { id: 'pin' } }),
        el('p', { className: 'join-url', text: info.joinUrl, attrs: { id: 'join-url' } }),
        el('p', { className: 'sound-hint', text: 'Click anywhere or press a key to start the music.', attrs: { id: 'sound-hint' } }),
      ]),
      el('div', { className: 'qr-box' }, [qr]),
    ]),
    el('section', { className: 'lobby-players', attrs: { 'aria-labelledby': 'player-count' } }, [
      el('h2', { className: 'player-count', attrs: { id: 'player-count', 'aria-live': 'polite' } }),
      el('ul', { className: 'players', attrs: { id: 'players', 'aria-label': 'Players' } }),
      el('p', { className: 'players-more', attrs: { id: 'players-more' } }),
      el('p', { className: 'players-empty', text: 'Waiting for players… Scan the code or go to the address above.', attrs: { id: 'players-empty' } }),
    ]),
  ], 'Start');
  drawPlayers();
  renderSound();
}

/** Redraws the lobby's names at the next frame (many joins at once make one redraw). */
function drawPlayersSoon() {
  renderCounts();
  if (state.phase === 'lobby') {
    window.cancelAnimationFrame(lobbyDraw);
    lobbyDraw = window.requestAnimationFrame(drawPlayers);
  }
}

function drawPlayers() {
  const list = document.getElementById('players');
  if (!list) {
    return;
  }
  const players = [...state.players.values()];
  const shown = players.slice(-LOBBY_NAMES);
  list.replaceChildren(...shown.map((player) => {
    const kick = el('button', {
      className: 'kick',
      text: '×',
      attrs: { type: 'button', 'aria-label': `Remove ${player.nickname}`, title: `Remove ${player.nickname}` },
    });
    kick.addEventListener('click', () => kickPlayer(player));
    return el('li', { className: player.connected ? 'player' : 'player is-away', attrs: { 'data-player-id': player.id } }, [
      el('span', { className: 'player-name', text: player.nickname }),
      kick,
    ]);
  }));
  document.getElementById('players-more').textContent = players.length > shown.length ? `and ${points(players.length - shown.length)} more` : '';
  document.getElementById('players-empty').hidden = players.length > 0;
}

async function kickPlayer(player) {
  const sure = await confirmDialog({
    title: `Remove ${player.nickname}?`,
    message: 'They leave the game and cannot rejoin with this nickname.',
    confirmLabel: 'Remove',
    danger: true,
  });
  if (sure) {
    await call('Kick', player.id);
  }
}

function questionHeader(index, count, type) {
  return el('p', { className: 'q-meta' }, [
    el('span', { text: `Question ${index + 1} of ${count}` }),
    el('span', { className: 'q-type', text: TYPES[type] || type }),
  ]);
}

function showQuestion(question) {
  state.index = question.index;
  state.count = question.count;
  state.open = null;
  show('question', [
    questionHeader(question.index, question.count, question.type),
    el('h1', { className: 'q-text', text: question.text }),
    questionImage(question.image, 'q-image'),
    timerBar(question.readMs),
    el('p', { className: 'q-note', text: 'Read the question… the answers open in a moment.' }),
  ], 'Show answers');
  say(`Question ${question.index + 1}: ${question.text}`);
}

/** The question's picture, large (its address comes with the question: see docs/live-games.md). */
function questionImage(src, className) {
  return src ? el('img', { className, attrs: { src, alt: '', id: 'question-image' } }) : null;
}

function answerTiles(open) {
  if (open.type === 'truefalse') {
    return el('ul', { className: 'tiles tiles-2' }, [tile('True', 1), tile('False', 0)]);
  }
  if (open.type === 'typeanswer') {
    return el('p', { className: 'q-note', text: 'Players type their answer on their device.' });
  }
  if (open.type === 'order') {
    return el('ul', { className: 'tiles tiles-order' }, open.items.map((item, k) => tile(item.text, k)));
  }
  return el('ul', { className: `tiles tiles-${open.answers.length}` }, open.answers.map((answer, k) => tile(answer.text, k)));
}

function tile(text, colour, extra = null) {
  return el('li', { className: `tile c${colour % 6}` }, [
    el('span', { className: 'shape', text: SHAPES[colour % 6], attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'tile-text', text }),
    extra,
  ]);
}

function showAnswering(open, answered = 0) {
  state.index = open.index;
  state.open = open;
  remember();
  const clock = countdown(open.closesInMs);
  show('answering', [
    questionHeader(open.index, state.count || open.index + 1, open.type),
    el('h1', { className: 'q-text q-text-open', text: open.text }),
    el('div', { className: 'q-live' }, [
      clock.number,
      el('p', { className: 'answered' }, [
        el('span', { className: 'answered-number', text: points(answered), attrs: { id: 'answered' } }),
        el('span', { className: 'answered-label', text: ` of ${points(state.players.size)} answered`, attrs: { id: 'answered-of' } }),
      ]),
    ]),
    questionImage(open.image, 'q-image q-image-open'),
    timerBar(open.closesInMs, open.timeLimit * 1000),
    answerTiles(open),
  ], 'Skip');
  clock.start();
}

function onAnswerCount(count) {
  if (state.phase === 'answering' && count.index === state.index) {
    document.getElementById('answered').textContent = points(count.answered);
    document.getElementById('answered-of').textContent = ` of ${points(count.players)} answered`;
  }
}

/** One column of the results chart: the count, a bar as tall as its share, and the answer's tile. */
function column(text, colour, count, max, correct, scored) {
  const bar = el('span', { className: `bar-fill c${colour % 6}` });
  bar.style.height = `${Math.max(2, (count / max) * 100)}%`;
  return el('li', { className: `column${scored && !correct ? ' is-wrong' : ''}${correct ? ' is-right' : ''}` }, [
    el('span', { className: 'bar-count', text: points(count) }),
    el('span', { className: 'bar' }, [bar]),
    tile(text, colour, correct ? el('span', { className: 'tick', text: '✓', attrs: { 'aria-label': 'right answer' } }) : null),
  ]);
}

function showResults(ended) {
  state.index = ended.index;
  const open = state.open?.index === ended.index ? state.open : recall(ended.index);
  const type = ended.type;
  const scored = type !== 'poll';
  const max = Math.max(1, ...ended.counts);
  let body;
  if (type === 'single' || type === 'multi' || type === 'poll') {
    const answers = open?.answers ?? ended.counts.map((_, id) => ({ id, text: `Answer ${id + 1}` }));
    const right = new Set(ended.correctAnswers || []);
    body = el('ol', { className: 'chart', attrs: { 'aria-label': 'How the room answered' } },
      answers.map((answer, k) => column(answer.text, k, ended.counts[answer.id] ?? 0, max, right.has(answer.id), scored)));
  } else if (type === 'truefalse') {
    body = el('ol', { className: 'chart', attrs: { 'aria-label': 'How the room answered' } }, [
      column('True', 1, ended.counts[0], max, ended.correctValue === true, true),
      column('False', 0, ended.counts[1], max, ended.correctValue === false, true),
    ]);
  } else if (type === 'order') {
    body = el('div', { className: 'result-split' }, [
      el('div', {}, [
        el('h2', { text: 'The right order' }),
        el('ol', { className: 'tiles tiles-order' }, (ended.correctOrder || []).map((item, k) => tile(`${k + 1}. ${item.text}`, k))),
      ]),
      el('ol', { className: 'chart chart-2', attrs: { 'aria-label': 'How the room answered' } }, [
        column('In the right order', 3, ended.counts[0], max, true, true),
        column('Not quite', 0, ended.counts[1], max, false, true),
      ]),
    ]);
  } else {
    const texts = ended.texts || [];
    const top = Math.max(1, ...texts.map((t) => t.count));
    body = el('div', { className: 'result-split' }, [
      el('div', {}, [
        el('h2', { text: 'Accepted answers' }),
        el('ul', { className: 'accepted' }, (ended.accepted || []).map((text) => el('li', { text }))),
      ]),
      el('div', {}, [
        el('h2', { text: 'What the room typed' }),
        texts.length
          ? el('ol', { className: 'typed' }, texts.map((t) => {
            const fill = el('span', { className: 'typed-fill' });
            fill.style.width = `${Math.max(3, (t.count / top) * 100)}%`;
            return el('li', { className: t.correct ? 'is-right' : 'is-wrong' }, [
              fill,
              el('span', { className: 'typed-text', text: `${t.correct ? '✓ ' : ''}${t.text}` }),
              el('span', { className: 'typed-count', text: points(t.count) }),
            ]);
          }))
          : el('p', { className: 'q-note', text: 'Nobody answered.' }),
      ]),
    ]);
  }
  const summary = scored
    ? `${points(ended.answered)} of ${points(ended.players)} answered · ${points(ended.right)} right`
    : `${points(ended.answered)} of ${points(ended.players)} voted`;
  show('results', [
    questionHeader(ended.index, state.count || ended.index + 1, type),
    el('h1', { className: 'q-text q-text-small', text: open?.text || `Question ${ended.index + 1}` }),
    el('p', { className: 'summary', text: summary, attrs: { id: 'summary' } }),
    body,
  ], 'Leaderboard');
  say(summary);
}

function showLeaderboard(board) {
  state.index = board.index;
  state.count = board.count;
  const last = board.index + 1 >= board.count;
  show('leaderboard', [
    el('p', { className: 'q-meta' }, [el('span', { text: `After question ${board.index + 1} of ${board.count}` })]),
    el('h1', { className: 'board-title', text: 'Leaderboard' }),
    board.top.length
      ? el('ol', { className: 'board', attrs: { id: 'board' } }, board.top.map((s) => el('li', { className: 'board-row' }, [
        el('span', { className: 'board-rank', text: String(s.rank) }),
        el('span', { className: 'board-name', text: s.nickname }),
        s.streak > 1 ? el('span', { className: 'board-streak', text: `${s.streak} in a row` }) : null,
        el('span', { className: 'board-score', text: points(s.score) }),
      ])))
      : el('p', { className: 'q-note', text: 'Nobody is playing.' }),
  ], last ? 'Final results' : 'Next question');
}

function showPodium(podium) {
  const [first, second, third] = podium.top;
  // Only the places someone stands on: the podium stays centred on the screen with one or two players.
  const step = (standing, place) => standing
    ? el('li', { className: `step step-${place}` }, [
      el('span', { className: 'step-name', text: standing.nickname }),
      el('span', { className: 'step-score', text: `${points(standing.score)} points` }),
      el('span', { className: 'step-block' }, [el('span', { className: 'step-place', text: ordinal(place) })]),
    ])
    : null;
  show('podium', [
    el('p', { className: 'q-meta' }, [el('span', { text: `${plural(podium.players, 'player')} · ${plural(podium.questions, 'question')}` })]),
    el('h1', { className: 'board-title', text: 'Podium' }),
    podium.top.length
      ? el('ol', { className: 'steps', attrs: { id: 'podium', 'aria-label': 'Podium' } }, [step(first, 1), step(second, 2), step(third, 3)])
      : el('p', { className: 'q-note', text: 'Nobody played.' }),
    podium.top.length > 3
      ? el('ol', { className: 'board board-rest', attrs: { start: 4 } }, podium.top.slice(3).map((s) => el('li', { className: 'board-row' }, [
        el('span', { className: 'board-rank', text: String(s.rank) }),
        el('span', { className: 'board-name', text: s.nickname }),
        el('span', { className: 'board-score', text: points(s.score) }),
      ])))
      : null,
    el('p', { className: 'after' }, [
      el('a', { className: 'host-button host-button-main', text: 'See the report', attrs: { href: `/reports/games/${gameId}` } }),
      el('a', { className: 'host-button', text: 'Back to quizzes', attrs: { href: '/quizzes' } }),
    ]),
  ], null);
  say(first ? `The winner is ${first.nickname} with ${points(first.score)} points.` : 'The game is over.');
}

function showClosed(message) {
  show('closed', [
    el('h1', { className: 'board-title', text: 'Game closed' }),
    el('p', { className: 'q-note', text: message || 'This game has ended.' }),
    el('p', { className: 'after' }, [
      el('a', { className: 'host-button host-button-main', text: 'See the report', attrs: { href: `/reports/games/${gameId}` } }),
      el('a', { className: 'host-button', text: 'Back to quizzes', attrs: { href: '/quizzes' } }),
    ]),
  ], null);
}

/** Draws the whole screen from what Host returned: where the game is now. */
function showState(host) {
  state.pin = host.pin;
  state.count = host.questionCount;
  state.index = host.questionIndex;
  state.players = new Map(host.players.map((p) => [p.id, p]));
  document.getElementById('game-title').textContent = host.title;
  document.title = `${host.title} · Live game · Homeroom`;
  if (host.phase === 'question' && host.question) {
    showQuestion(host.question);
  } else if (host.phase === 'answering' && host.open) {
    showAnswering(host.open, host.answered);
  } else if (host.phase === 'results' && host.ended) {
    showResults(host.ended);
  } else if (host.phase === 'leaderboard' && host.leaderboard) {
    showLeaderboard(host.leaderboard);
  } else if (host.phase === 'podium' && host.podium) {
    showPodium(host.podium);
  } else if (host.phase === 'closed') {
    showClosed();
  } else {
    showLobby();
  }
}

// ---- Talking to the hub --------------------------------------------------------------------------

async function call(method, ...args) {
  showBanner(errorBanner, '');
  try {
    return await connection.invoke(method, ...args);
  } catch (error) {
    showBanner(errorBanner, hubMessage(error));
    return undefined;
  }
}

async function next() {
  if (state.busy || nextButton.hidden || nextButton.disabled) {
    return;
  }
  state.busy = true;
  try {
    await call(state.phase === 'lobby' ? 'Start' : 'Next');
  } finally {
    state.busy = false;
  }
}

async function end() {
  const sure = await confirmDialog({
    title: 'End the game now?',
    message: state.phase === 'lobby'
      ? 'The game closes and the players who joined are told. Nothing is kept.'
      : 'The game goes straight to the podium; the answers so far are kept.',
    confirmLabel: 'End game',
    danger: true,
  });
  if (sure) {
    await call('End');
  }
}

const events = {
  playerJoined: (change) => {
    state.players.set(change.player.id, change.player);
    drawPlayersSoon();
  },
  playerLeft: (change) => {
    // A kick makes the game smaller; a dropped connection does not (the player may come back).
    if (change.players < state.players.size) {
      state.players.delete(change.player.id);
    } else if (state.players.has(change.player.id)) {
      state.players.set(change.player.id, change.player);
    }
    drawPlayersSoon();
  },
  question: showQuestion,
  answersOpen: (open) => showAnswering(open, 0),
  answerCount: onAnswerCount,
  // The reveal and the fanfare sound only as they happen, not when a reload draws the screen again.
  questionEnded: (ended) => {
    showResults(ended);
    sound.reveal();
  },
  leaderboard: showLeaderboard,
  podium: (podium) => {
    showPodium(podium);
    sound.fanfare();
  },
  gameClosed: (notice) => showClosed(notice.message),
};

async function connect() {
  connection = new window.signalR.HubConnectionBuilder()
    // Straight to a WebSocket, without the negotiate request: behind a round-robin load balancer the two could reach
    // different servers (docs/deployment.md, "Several servers").
    .withUrl('/hubs/game', { skipNegotiation: true, transport: window.signalR.HttpTransportType.WebSockets })
    .withAutomaticReconnect()
    .configureLogging(window.signalR.LogLevel.Warning)
    .build();
  for (const [name, handler] of Object.entries(events)) {
    connection.on(name, handler);
  }
  connection.onreconnecting(() => showBanner(errorBanner, 'Lost the connection to the game. Reconnecting…'));
  connection.onreconnected(async () => {
    // A new connection must become the host again; the game may have moved on meanwhile, or be moving to another
    // server (its server went away): then try again for a while.
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        showState(await connection.invoke('Host', gameId));
        showBanner(errorBanner, '');
        return;
      } catch (error) {
        showBanner(errorBanner, hubMessage(error));
        if (!/moving/i.test(hubMessage(error))) {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  });
  connection.onclose(() => {
    if (state.phase !== 'podium' && state.phase !== 'closed') {
      nextButton.disabled = true;
      showBanner(errorBanner, 'Lost the connection to the game. Reload this page to take it back: the game goes on without you meanwhile.');
    }
  });
  await connection.start();
  showState(await connection.invoke('Host', gameId));
}

// ---- Sound ---------------------------------------------------------------------------------------

function renderSound() {
  soundButton.setAttribute('aria-pressed', String(sound.on));
  soundButton.title = sound.on ? 'Sound is on: lobby music, countdown, reveal and podium (M turns it off)' : 'Sound is off (M turns it on)';
  const hint = document.getElementById('sound-hint');
  if (hint) {
    hint.hidden = !sound.on || sound.unlocked;
  }
}

function toggleSound() {
  sound.setOn(!sound.on);
  say(sound.on ? 'Sound on.' : 'Sound off.');
}

sound.onChange(renderSound);
renderSound();
// The first click or key press anywhere lets the page make sound (a browser rule): the lobby music starts.
// Not the one that works the sound switch, which would start the music only to stop it.
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest('#sound') || (event.key && event.key.toLowerCase() === 'm')) {
      return;
    }
    sound.unlock();
  }, { capture: true });
}

// ---- Wiring --------------------------------------------------------------------------------------

async function toggleFullScreen() {
  try {
    if (document.fullscreenElement) {
      await document.exitFullscreen();
    } else {
      await document.documentElement.requestFullscreen();
    }
  } catch {
    showBanner(errorBanner, 'This browser would not go full screen. Try its own full-screen key (often F11).');
  }
}

document.addEventListener('fullscreenchange', () => {
  document.getElementById('fullscreen').textContent = document.fullscreenElement ? 'Exit full screen' : 'Full screen';
});

for (const [button, action] of [[nextButton, next], [endButton, end], [document.getElementById('fullscreen'), toggleFullScreen], [soundButton, toggleSound]]) {
  button.addEventListener('click', (event) => {
    action();
    // A mouse click should not leave focus on the button, or Space would press it again.
    if (event.detail > 0) {
      button.blur();
    }
  });
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) {
    return;
  }
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('input, textarea, select, [contenteditable]')) {
    return;
  }
  if (event.key === ' ' || event.key === 'Enter') {
    // Space and Enter keep pressing a focused button or link (a kick button, End game).
    if (target?.closest('button:not(#next), a[href]')) {
      return;
    }
    event.preventDefault();
    if (!event.repeat) {
      next();
    }
  } else if (event.key.toLowerCase() === 'f' && !event.repeat) {
    event.preventDefault();
    toggleFullScreen();
  } else if (event.key.toLowerCase() === 'm' && !event.repeat) {
    event.preventDefault();
    toggleSound();
  }
});

try {
  await requireSignIn();
  if (!gameId) {
    throw new Error('No game in this address.');
  }
  state.info = await api(`/api/games/${gameId}`);
  document.getElementById('game-title').textContent = state.info.title;
  state.pin = state.info.pin;
  if (state.info.status === 'finished' && !state.info.phase) {
    document.getElementById('page-loading').hidden = true;
    showClosed('This game has finished. Its results are kept with your games.');
  } else {
    await connect();
    document.getElementById('page-loading').hidden = true;
  }
} catch (error) {
  document.getElementById('page-loading').hidden = true;
  console.error(error);
  showBanner(errorBanner, error?.status ? messageFor(error) : hubMessage(error));
}
