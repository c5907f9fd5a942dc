// /play: a player's phone in a live game. Anonymous: a PIN (prefilled from ?pin=), then a nickname, a
// name from the class list, or nothing at all (generated names). The game runs over the SignalR hub
// /hubs/game (protocol: docs/live-games.md); the server keeps the time and the score, this page only shows
// them. {pin, rejoinToken} stay in localStorage, so a reload or a dropped connection rejoins the same
// player with their score. Self-contained on purpose (no site.css, no api.js): the page must stay small
// on a school's shared Wi-Fi. Text from the server only ever goes in as text (append/textContent).

const KEY = 'homeroom.play';
const KEEP_MS = 12 * 3600 * 1000;
const SHAPES = ['▲', '◆', '●', '■', '★', '⬟'];
const TYPES = {
  single: 'Choose one',
  multi: 'Choose every right answer',
  truefalse: 'True or false',
  typeanswer: 'Type your answer',
  order: 'Put them in order',
  poll: 'Poll: no right answer',
};

const $ = (id) => document.getElementById(id);
const view = $('view');
const game = { pin: '', token: '', playerId: 0, nickname: '', count: 0, score: 0, streak: 0, rank: 0, index: -1, type: '', phase: '', podium: null };
let connection = null;
let ended = false;
let ticker = 0;

/** h('p', {class: 'x', text: 'y', onclick: f}, child, …): an element; strings become text nodes, never HTML. */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = value;
    } else if (name === 'text') {
      node.textContent = String(value);
    } else if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

const ordinal = (n) => {
  const v = n % 100;
  return n + (['th', 'st', 'nd', 'rd'][(v - 20) % 10] || ['th', 'st', 'nd', 'rd'][v] || 'th');
};
const points = (n) => Number(n || 0).toLocaleString();

// ---- Messages ----------------------------------------------------------------------------------

function alertText(text) {
  const box = $('alert');
  box.textContent = text || '';
  box.hidden = !text;
}

function status(text) {
  $('status').textContent = text || '';
}

/** The sentence a refusal carries (the server's HubException message), or a plain one for a network fault. */
function hubMessage(error) {
  const text = String(error?.message || error || '');
  const refusal = /HubException: ([\s\S]*)$/.exec(text);
  if (refusal) {
    return refusal[1].trim();
  }
  return /connect|websocket|negotiat|fetch|network/i.test(text)
    ? 'Could not reach the game. Check your connection and try again.'
    : 'Something went wrong. Please try again.';
}

// ---- Storage -------------------------------------------------------------------------------------

function remembered() {
  try {
    const saved = JSON.parse(window.localStorage.getItem(KEY) || 'null');
    return saved && saved.pin && saved.token && Date.now() - saved.at < KEEP_MS ? saved : null;
  } catch {
    return null;
  }
}

function remember() {
  try {
    window.localStorage.setItem(KEY, JSON.stringify({ pin: game.pin, token: game.token, at: Date.now() }));
  } catch {
    // Private browsing may refuse storage: the game still works, a reload just cannot rejoin.
  }
}

function forget() {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // See remember().
  }
}

// ---- Screens -------------------------------------------------------------------------------------

function show(phase, mood, ...children) {
  window.clearInterval(ticker);
  game.phase = phase;
  document.body.dataset.mood = mood || '';
  view.replaceChildren(...children);
  const heading = view.querySelector('h1');
  if (heading && !view.contains(document.activeElement)) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function renderBar() {
  $('bar-name').textContent = game.nickname || 'Homeroom';
  $('bar-score').textContent = game.nickname ? points(game.score) : '';
}

function showPinScreen(pin = '') {
  game.phase = 'pin';
  game.nickname = '';
  renderBar();
  const input = h('input', { id: 'pin', name: 'pin', type: 'text', inputmode: 'text', autocapitalize: 'characters', autocomplete: 'off', maxlength: 7, enterkeyhint: 'go', placeholder: '123456' });
  input.value = pin;
  const form = h('form', { id: 'pin-form', class: 'screen card', novalidate: true },
    h('h1', { text: 'Join a game' }),
    h('label', { for: 'pin', text: 'Game PIN' }),
    input,
    h('button', { class: 'go', type: 'submit', text: 'Enter' }),
    h('p', { class: 'muted', text: 'The PIN is the number on your teacher’s screen. For homework, type your assignment’s code.' }));
  wirePinForm(form);
  show('pin', '', form);
  input.focus();
}

function wirePinForm(form) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    lookUp(form.elements.pin.value.replace(/\s+/g, ''));
  });
}

async function lookUp(pin) {
  alertText('');
  if (/^[A-Za-z2-9]{6}$/.test(pin) && /[A-Za-z]/.test(pin)) {
    // Letters: an assignment's code, played on its own page.
    window.location.assign('/a/' + encodeURIComponent(pin.toUpperCase()));
    return;
  }
  if (!/^\d{4,9}$/.test(pin)) {
    alertText('Type the game PIN (the number on your teacher’s screen) or your assignment’s code.');
    return;
  }
  const button = view.querySelector('button');
  if (button) {
    button.disabled = true;
  }
  let response;
  try {
    response = await fetch('/api/play/' + pin, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch {
    response = null;
  }
  if (button) {
    button.disabled = false;
  }
  if (!response?.ok) {
    const problem = response ? await response.json().catch(() => ({})) : {};
    if (game.phase !== 'pin') {
      showPinScreen(pin);
    }
    alertText(!response ? 'Could not reach the game. Check your connection and try again.'
      : response.status === 429 ? 'Too many tries. Wait a minute, then try again.'
        : problem.detail || 'There is no game with that PIN right now. Check the number on the screen.');
    return;
  }
  game.pin = pin;
  showNameScreen(await response.json());
}

function showNameScreen(info) {
  const title = h('p', { class: 'game-title', text: info.title });
  const another = h('button', { class: 'link', type: 'button', text: 'Enter another PIN', onclick: () => showPinScreen() });
  const submit = h('button', { class: 'go', type: 'submit', text: 'Join' });
  const form = h('form', { id: 'name-form', class: 'screen card', novalidate: true });
  if (info.joinMode === 'roster') {
    const names = info.names || [];
    // Names already joined or marked absent today are shown, greyed, with the reason, but not offered.
    const reasons = { joined: 'already joined', absent: 'marked absent today' };
    const choices = [
      ...names.map((name) => ({ name, reason: '' })),
      ...(info.unavailable || []).map((u) => ({ name: u.name, reason: reasons[u.reason] || u.reason })),
    ].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
    form.append(title, h('h1', { text: names.length ? 'Who are you?' : 'Everyone has joined' }));
    if (names.length) {
      form.append(
        h('fieldset', { class: 'names' },
          h('legend', { class: 'muted', text: 'Choose your name from the class list' }),
          choices.map(({ name, reason }) => h('label', { class: reason ? 'name-choice is-unavailable' : 'name-choice' },
            h('input', { type: 'radio', name: 'nickname', value: name, disabled: Boolean(reason) }),
            h('span', { class: 'name-text' }, h('span', { class: 'name', text: name }), reason ? h('span', { class: 'name-reason', text: reason }) : null)))),
        submit);
    } else {
      form.append(h('p', { class: 'muted', text: 'Every name on the class list is taken or marked absent. If yours is one of them, tell your teacher.' }));
    }
  } else if (info.joinMode === 'generated') {
    form.append(title, h('h1', { text: 'Ready to play?' }), h('p', { class: 'muted', text: 'You get a friendly nickname when you join.' }), submit);
  } else {
    form.append(title, h('h1', { text: 'Choose a nickname' }),
      h('label', { for: 'nickname', text: 'Nickname' }),
      h('input', { id: 'nickname', name: 'nickname', type: 'text', maxlength: 20, autocomplete: 'off', autocapitalize: 'words', enterkeyhint: 'go', spellcheck: 'false' }),
      submit);
  }
  form.append(another);
  if (info.joinMode === 'roster') {
    // Choosing a name answers "Choose your name first". (Not for typing: hiding the alert on blur would
    // move the Join button from under the finger that is tapping it.)
    form.addEventListener('change', () => alertText(''));
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (info.joinMode === 'generated') {
      join(null, submit);
    } else if (info.joinMode === 'roster' && !form.elements.nickname?.value) {
      alertText('Choose your name first.');
    } else {
      join(form.elements.nickname?.value ?? '', submit);
    }
  });
  show('name', '', form);
  alertText('');
  form.querySelector('input[type=text]')?.focus();
}

function showLobby() {
  show('lobby', '', h('section', { class: 'screen center' },
    h('p', { class: 'badge', 'aria-hidden': 'true', text: '✓' }),
    h('h1', { text: 'You’re in!' }),
    h('p', { text: 'See your nickname on the screen' }),
    h('p', { class: 'nick', text: game.nickname }),
    h('p', { class: 'muted', text: 'Waiting for the host to start…' })));
}

function timerBar(ms) {
  const fill = h('span', { class: 'timer-fill' });
  if (ms > 0 && fill.animate) {
    fill.animate([{ transform: 'scaleX(1)' }, { transform: 'scaleX(0)' }], { duration: ms, easing: 'linear', fill: 'forwards' });
  }
  return h('div', { class: 'timer', 'aria-hidden': 'true' }, fill);
}

function questionHead(index, count, type) {
  return h('p', { class: 'qmeta' }, h('span', { text: `Question ${index + 1} of ${count}` }), h('span', { text: TYPES[type] || '' }));
}

/** The question's picture, small (the host screen shows it large); the address comes with the question. */
function picture(src, className) {
  return src ? h('img', { class: className, src, alt: '' }) : null;
}

function onQuestion(question) {
  alertText('');
  game.index = question.index;
  game.type = question.type;
  game.count = question.count;
  show('question', '', h('section', { class: 'screen' },
    questionHead(question.index, question.count, question.type),
    h('h1', { class: 'qtext', text: question.text }),
    picture(question.image, 'qimage'),
    timerBar(question.readMs),
    h('p', { class: 'muted center', text: 'Get ready to answer…' })));
}

function onAnswersOpen(open) {
  alertText('');
  game.index = open.index;
  game.type = open.type;
  const seconds = h('span', { class: 'secs', 'aria-label': 'Seconds left' });
  const closesAt = Date.now() + open.closesInMs;
  const tick = () => {
    seconds.textContent = String(Math.max(0, Math.ceil((closesAt - Date.now()) / 1000)));
  };
  const send = (payload, controls) => answer(open.index, payload, controls);
  let body;
  if (open.type === 'single' || open.type === 'poll') {
    body = h('div', { class: 'answers' }, open.answers.map((a, k) => choiceButton(a.text, k, () => send(a.id, body))));
  } else if (open.type === 'truefalse') {
    body = h('div', { class: 'answers two' },
      choiceButton('True', 1, () => send(true, body)),
      choiceButton('False', 0, () => send(false, body)));
  } else if (open.type === 'multi') {
    body = multiForm(open.answers, send);
  } else if (open.type === 'typeanswer') {
    body = typeForm(send);
  } else {
    body = orderForm(open.items, send);
  }
  show('answering', '', h('section', { class: 'screen' },
    h('p', { class: 'qmeta' }, h('span', { text: `Question ${open.index + 1} of ${game.count || open.index + 1}` }), seconds),
    h('h1', { class: 'qtext small', text: open.text }),
    picture(open.image, 'qimage small'),
    timerBar(open.closesInMs),
    h('p', { class: 'hint', text: TYPES[open.type] || '' }),
    body));
  tick();
  ticker = window.setInterval(tick, 250);
  view.querySelector('input[type=text]')?.focus();
}

function choiceButton(text, colour, onclick, extra = {}) {
  return h('button', { type: 'button', class: `answer c${colour % 6}`, onclick, ...extra },
    h('span', { class: 'shape', 'aria-hidden': 'true', text: SHAPES[colour % 6] }),
    h('span', { class: 'label', text }));
}

function multiForm(answers, send) {
  const chosen = new Set();
  const submit = h('button', { class: 'go', type: 'submit', text: 'Submit', disabled: true });
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'answers' }, answers.map((a, k) => {
      const button = choiceButton(a.text, k, () => {
        if (chosen.has(a.id)) {
          chosen.delete(a.id);
        } else {
          chosen.add(a.id);
        }
        button.setAttribute('aria-pressed', String(chosen.has(a.id)));
        submit.disabled = chosen.size === 0;
      }, { 'aria-pressed': 'false' });
      return button;
    })),
    submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(answers.filter((a) => chosen.has(a.id)).map((a) => a.id), form);
  });
  return form;
}

function typeForm(send) {
  const input = h('input', { id: 'typed', name: 'typed', type: 'text', maxlength: 75, autocomplete: 'off', enterkeyhint: 'send', spellcheck: 'false' });
  const form = h('form', { class: 'stack', novalidate: true },
    h('label', { for: 'typed', class: 'visually-hidden', text: 'Your answer' }),
    input,
    h('button', { class: 'go', type: 'submit', text: 'Submit' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(input.value, form);
  });
  return form;
}

function orderForm(items, send) {
  const order = items.map((item, k) => ({ ...item, colour: k }));
  const list = h('ol', { class: 'order' });
  const render = (focus) => {
    list.replaceChildren(...order.map((item, k) => h('li', { class: `item c${item.colour % 6}` },
      h('span', { class: 'label', text: item.text }),
      h('button', { type: 'button', class: 'move', text: '↑', 'aria-label': `Move ${item.text} up`, disabled: k === 0, onclick: () => move(k, -1) }),
      h('button', { type: 'button', class: 'move', text: '↓', 'aria-label': `Move ${item.text} down`, disabled: k === order.length - 1, onclick: () => move(k, 1) }))));
    if (focus) {
      // Keep the keyboard on the item that moved, on the same arrow while it can still move that way.
      const [up, down] = list.children[focus.at].querySelectorAll('button');
      const preferred = focus.up ? up : down;
      (preferred.disabled ? (focus.up ? down : up) : preferred).focus();
    }
  };
  const move = (k, delta) => {
    const [item] = order.splice(k, 1);
    order.splice(k + delta, 0, item);
    render({ at: k + delta, up: delta < 0 });
  };
  render();
  const form = h('form', { class: 'stack', novalidate: true }, list, h('button', { class: 'go', type: 'submit', text: 'Submit' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(order.map((item) => item.id), form);
  });
  return form;
}

async function answer(index, payload, controls) {
  const buttons = [...controls.querySelectorAll('button, input')];
  if (buttons.some((b) => b.dataset.busy)) {
    return;
  }
  for (const b of buttons) {
    b.dataset.busy = '1';
    b.disabled = true;
  }
  alertText('');
  try {
    await connection.invoke('Answer', index, payload);
    // The result may already be here (the last answer closes the question): then it stays on screen.
    if (game.phase === 'answering' && game.index === index) {
      showSent();
    }
  } catch (error) {
    alertText(hubMessage(error));
    for (const b of buttons) {
      delete b.dataset.busy;
      b.disabled = false;
    }
  }
}

function showSent() {
  show('sent', '', h('section', { class: 'screen center' },
    h('p', { class: 'spinner', 'aria-hidden': 'true' }),
    h('h1', { text: 'Answer sent' }),
    h('p', { class: 'muted', text: 'Waiting for the others…' })));
}

function showResult(result) {
  game.score = result.score;
  game.streak = result.streak;
  game.rank = result.rank;
  renderBar();
  const poll = game.type === 'poll';
  const missed = result.away ? 'Missed while you were away' : 'Time’s up';
  const title = poll ? (result.answered ? 'Thanks for voting' : missed) : result.correct ? 'Correct' : result.answered ? 'Incorrect' : missed;
  const mood = poll ? '' : result.correct ? 'good' : 'bad';
  const gained = result.points + result.streakBonus;
  show('result', mood, h('section', { class: 'screen center result' },
    h('p', { class: 'badge', 'aria-hidden': 'true', text: poll ? '✓' : result.correct ? '✓' : '✗' }),
    h('h1', { text: title }),
    result.away ? h('p', { text: 'This question closed before you reconnected, so it scores nothing. Your score is safe.' }) : null,
    !poll && result.correct ? h('p', { class: 'gain', text: `+${points(gained)}` }) : null,
    result.streakBonus ? h('p', { text: `including a ${points(result.streakBonus)} streak bonus` }) : null,
    !poll && result.streak > 1 ? h('p', { class: 'streak', text: `Answer streak: ${result.streak}` }) : null,
    h('p', { class: 'place', text: `You’re in ${ordinal(result.rank)} place` }),
    h('p', { class: 'muted', text: `${points(result.score)} points · ${result.players} ${result.players === 1 ? 'player' : 'players'}` })));
}

function showLeaderboard(board) {
  const me = board.top.find((s) => s.playerId === game.playerId);
  const rank = me?.rank ?? game.rank;
  show('leaderboard', '', h('section', { class: 'screen center' },
    h('p', { class: 'qmeta' }, h('span', { text: `After question ${board.index + 1} of ${board.count}` })),
    h('h1', { class: 'place big', text: rank ? `${ordinal(rank)} place` : 'Leaderboard' }),
    h('p', { text: `${points(me?.score ?? game.score)} points` }),
    h('p', { class: 'muted', text: me ? 'You’re on the leaderboard. Look at the screen!' : board.players ? `Out of ${board.players}. Keep going!` : 'Keep going!' })));
}

function showFinal(over, podium) {
  game.score = over.score;
  renderBar();
  show('final', over.rank <= 3 ? 'gold' : '', h('section', { class: 'screen center' },
    h('p', { class: 'qmeta' }, h('span', { text: 'Game over' })),
    over.rank <= 3 ? h('p', { class: `medal m${over.rank}`, 'aria-hidden': 'true', text: String(over.rank) }) : null,
    h('h1', { class: 'place big', text: `${ordinal(over.rank)} place` }),
    h('p', { text: `${points(over.score)} points · ${over.players} ${over.players === 1 ? 'player' : 'players'}` }),
    podium?.top?.length
      ? h('ol', { class: 'podium', 'aria-label': 'Podium' }, podium.top.map((s) => h('li', { class: s.playerId === game.playerId ? 'me' : null },
        h('span', { class: 'rank', text: ordinal(s.rank) }), h('span', { class: 'who', text: s.nickname }), h('span', { class: 'score', text: points(s.score) }))))
      : null,
    h('button', { class: 'go', type: 'button', text: 'Join another game', onclick: () => leave() })));
}

function showEnd(title, message) {
  show('end', '', h('section', { class: 'screen center' },
    h('h1', { text: title }),
    h('p', { text: message }),
    h('button', { class: 'go', type: 'button', text: 'Join another game', onclick: () => leave() })));
}

function showLost() {
  show('lost', '', h('section', { class: 'screen center' },
    h('h1', { text: 'Connection lost' }),
    h('p', { class: 'muted', text: 'Your score is safe. Reconnect to carry on where you left off.' }),
    h('button', { class: 'go', type: 'button', text: 'Reconnect', onclick: () => resume() })));
}

// ---- The connection ------------------------------------------------------------------------------

const events = {
  question: onQuestion,
  answersOpen: onAnswersOpen,
  // The room's answers are for the projector; this phone's verdict comes in `result`, right after. A handler
  // keeps the SignalR client from warning "No client method with the name 'questionended'" at every question.
  questionEnded: () => {},
  result: showResult,
  leaderboard: showLeaderboard,
  podium: (podium) => {
    game.podium = podium;
  },
  gameOver: (over) => showFinal(over, game.podium),
  kicked: (notice) => finish('Removed from the game', notice.message),
  gameClosed: (notice) => finish('Game closed', notice.message),
};

async function connect() {
  if (connection?.state === 'Connected') {
    return connection;
  }
  if (!connection) {
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
    connection.onreconnecting(() => status('Connection lost. Reconnecting…'));
    connection.onreconnected(() => {
      status('');
      // A new connection is a stranger to the game until it rejoins.
      rejoin();
    });
    const mine = connection;
    connection.onclose(() => {
      status('');
      if (mine === connection && !ended && game.token) {
        showLost();
      }
    });
  }
  await connection.start();
  return connection;
}

function joined(result) {
  const state = result.state;
  Object.assign(game, {
    playerId: result.playerId, nickname: result.nickname, token: result.rejoinToken,
    score: state.score, streak: state.streak, rank: state.rank, count: state.questionCount, podium: state.podium || null,
  });
  ended = false;
  remember();
  window.history.replaceState(null, '', '/play?pin=' + encodeURIComponent(game.pin));
  document.title = `${state.title} · Play · Homeroom`;
  renderBar();
  alertText('');
  if (state.phase === 'question' && state.question) {
    onQuestion(state.question);
  } else if (state.phase === 'answering' && state.open) {
    game.type = state.open.type;
    if (state.answered) {
      game.index = state.open.index;
      showSent();
    } else {
      onAnswersOpen(state.open);
    }
  } else if (state.phase === 'results' && state.result) {
    showResult(state.result);
  } else if (state.phase === 'leaderboard') {
    showLeaderboard({ index: state.questionIndex, count: state.questionCount, top: [], players: state.podium?.players ?? 0 });
  } else if (state.phase === 'podium' && state.podium) {
    showFinal({ rank: state.rank, score: state.score, players: state.podium.players }, state.podium);
  } else if (state.phase === 'closed') {
    finish('Game closed', 'This game has ended.');
  } else if (state.phase === 'lobby') {
    showLobby();
  } else {
    show('wait', '', h('section', { class: 'screen center' }, h('h1', { text: 'You’re in!' }), h('p', { class: 'muted', text: 'Wait for the next question…' })));
  }
}

async function join(nickname, button) {
  alertText('');
  button.disabled = true;
  try {
    await connect();
    joined(await connection.invoke('Join', game.pin, nickname));
  } catch (error) {
    const message = hubMessage(error);
    button.disabled = false;
    if (/already joined/i.test(message)) {
      // Someone took the name meanwhile: show the class list as it is now.
      await lookUp(game.pin);
    }
    alertText(message);
  }
}

/** Rejoins with the stored token: 'ok'; 'over' (removed, or the game ended); 'stale' (back to the PIN). */
async function rejoin(attempt = 0) {
  try {
    joined(await connection.invoke('Rejoin', game.pin, game.token));
    return 'ok';
  } catch (error) {
    const message = hubMessage(error);
    if (/moving/i.test(message) && attempt < 30) {
      // The game's server went away and another is taking it over: the score is safe, try again in a moment.
      status('Reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return rejoin(attempt + 1);
    }
    if (/removed|ended/i.test(message)) {
      finish(/removed/i.test(message) ? 'Removed from the game' : 'Game over', message);
      return 'over';
    }
    forget();
    game.token = '';
    showPinScreen(game.pin);
    alertText(message);
    return 'stale';
  }
}

async function resume() {
  status('Reconnecting…');
  try {
    await connect();
    status('');
    await rejoin();
  } catch (error) {
    status('');
    showLost();
    alertText(hubMessage(error));
  }
}

function finish(title, message) {
  ended = true;
  forget();
  game.token = '';
  game.nickname = '';
  renderBar();
  connection?.stop();
  showEnd(title, message);
}

function leave() {
  ended = true;
  forget();
  game.token = '';
  game.podium = null;
  connection?.stop();
  connection = null;
  window.history.replaceState(null, '', '/play');
  document.title = 'Play · Homeroom';
  showPinScreen();
}

// A phone that slept may come back with a dead connection: reconnect when the page is seen again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && game.phase === 'lost') {
    resume();
  }
});

// ---- Start ---------------------------------------------------------------------------------------

wirePinForm($('pin-form'));
game.phase = 'pin';
const pinInUrl = (new URLSearchParams(window.location.search).get('pin') || '').replace(/\D/g, '');
const saved = remembered();
if (saved && (!pinInUrl || pinInUrl === saved.pin)) {
  game.pin = saved.pin;
  game.token = saved.token;
  status('Rejoining…');
  try {
    await connect();
    status('');
    if ((await rejoin()) === 'stale' && pinInUrl) {
      lookUp(pinInUrl);
    }
  } catch (error) {
    status('');
    showLost();
    alertText(hubMessage(error));
  }
} else if (pinInUrl) {
  $('pin').value = pinInUrl;
  lookUp(pinInUrl);
} else {
  $('pin').focus();
}
