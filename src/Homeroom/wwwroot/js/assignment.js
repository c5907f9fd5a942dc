// /a/{code}: an assignment on a student's phone, at their own pace. Anonymous: the code (from the path), a
// name from the class list or a nickname, then one question at a time over plain HTTP (/api/a/{code}/…,
// docs/api.md). The server times each question from when it showed it and keeps the score; this page only
// shows them. The continuation token stays in localStorage per code, so closing the page and opening it
// again continues the same attempt. Looks like /play (play.css) and stays as small. Text from the server
// only ever goes in as text.

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
const code = decodeURIComponent(window.location.pathname.split('/')[2] || '').toUpperCase();
const key = 'homeroom.assignment.' + code;
const attempt = { token: '', nickname: '', info: null };
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

const points = (n) => Number(n || 0).toLocaleString();

function alertText(text) {
  $('alert').textContent = text || '';
  $('alert').hidden = !text;
}

function show(...children) {
  window.clearInterval(ticker);
  $('status').textContent = '';
  view.replaceChildren(...children);
  const heading = view.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function bar(state) {
  $('bar-name').textContent = attempt.nickname || 'Homeroom';
  $('bar-score').textContent = state && state.score !== null && state.score !== undefined ? points(state.score) : '';
}

/** POST or GET to the assignment's API; returns {ok, status, body}. */
async function call(path, body) {
  try {
    const response = await fetch(`/api/a/${encodeURIComponent(code)}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: body ? { Accept: 'application/json', 'Content-Type': 'application/json' } : { Accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  } catch {
    return { ok: false, status: 0, body: { detail: 'Could not reach Homeroom. Check your connection and try again.' } };
  }
}

function remember(token, nickname) {
  attempt.token = token;
  attempt.nickname = nickname;
  try {
    localStorage.setItem(key, JSON.stringify({ token, nickname }));
  } catch {
    // Private mode: the attempt still works while the page is open.
  }
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

// ---- Start --------------------------------------------------------------------------------------

async function load() {
  const lookup = await call('');
  if (!lookup.ok) {
    show(h('section', { class: 'screen card' },
      h('h1', { text: 'No such assignment' }),
      h('p', { class: 'muted', text: lookup.status === 429 ? 'Too many tries. Wait a minute, then try again.' : lookup.body.detail || 'Check the code your teacher gave you.' }),
      h('a', { class: 'go', href: '/play', text: 'Enter another code' })));
    return;
  }
  attempt.info = lookup.body;
  const saved = remembered();
  if (saved?.token) {
    const again = await call('/start', { token: saved.token });
    if (again.ok) {
      remember(again.body.token, again.body.nickname);
      proceed(again.body.state);
      return;
    }
  }
  showNameScreen();
}

function deadlineText(info) {
  const when = new Date(info.deadline).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return info.open ? `Due ${when}` : `Closed on ${when}`;
}

function showNameScreen(needsResume = false, chosen = '') {
  const info = attempt.info;
  bar(null);
  const submit = h('button', { class: 'go', type: 'submit', text: needsResume ? 'Continue' : 'Start' });
  const form = h('form', { id: 'name-form', class: 'screen card', novalidate: true },
    h('p', { class: 'game-title', text: info.title }),
    h('p', { class: 'deadline', text: `${deadlineText(info)} · ${info.questionCount} questions${info.timer ? ', timed' : ''}` }));
  if (!info.open) {
    form.append(h('h1', { text: 'This assignment is over' }), h('p', { class: 'muted', text: 'The deadline has passed: no more answers are accepted.' }));
    show(form);
    return;
  }
  if (info.joinMode === 'roster') {
    form.append(h('h1', { text: 'Who are you?' }),
      h('fieldset', { class: 'names' },
        h('legend', { class: 'muted', text: 'Choose your name from the class list' }),
        info.names.map((name) => h('label', { class: 'name-choice' },
          h('input', { type: 'radio', name: 'nickname', value: name, checked: name === chosen }), h('span', { text: name })))));
  } else {
    form.append(h('h1', { text: 'Choose a nickname' }),
      h('label', { for: 'nickname', text: 'Nickname' }),
      h('input', { id: 'nickname', name: 'nickname', type: 'text', maxlength: 20, autocomplete: 'off', autocapitalize: 'words', enterkeyhint: 'go', spellcheck: 'false' }));
  }
  if (needsResume) {
    form.append(h('div', { class: 'resume' },
      h('label', { for: 'resume', text: 'Resume code (ask your teacher)' }),
      h('input', { id: 'resume', name: 'resume', type: 'text', inputmode: 'numeric', maxlength: 8, autocomplete: 'off' })));
  }
  form.append(submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = form.elements.nickname?.value ?? '';
    if (!name.trim()) {
      alertText(info.joinMode === 'roster' ? 'Choose your name first.' : 'Choose a nickname.');
      return;
    }
    submit.disabled = true;
    const saved = remembered();
    const started = await call('/start', { name, token: saved?.token || null, resumeCode: form.elements.resume?.value || null });
    submit.disabled = false;
    if (!started.ok) {
      const other = /another device/.test(started.body.detail || '');
      if (other && !needsResume) {
        showNameScreen(true, name);
      }
      alertText(started.body.detail || started.body.errors?.name?.[0] || 'That did not work. Please try again.');
      return;
    }
    alertText('');
    remember(started.body.token, started.body.nickname);
    proceed(started.body.state);
  });
  show(form);
  form.querySelector('input[type=text]')?.focus();
}

// ---- Questions ------------------------------------------------------------------------------------

async function next() {
  const result = await call('/next', { token: attempt.token });
  if (!result.ok) {
    alertText(result.body.detail || 'That did not work. Please try again.');
    return;
  }
  proceed(result.body);
}

function proceed(state) {
  bar(state);
  if (state.status === 'question') {
    showQuestion(state.question);
  } else if (state.status === 'ready') {
    showReady(state);
  } else {
    showEnd(state);
  }
}

function showReady(state) {
  const go = h('button', { class: 'go', type: 'button', text: state.answered === 0 ? 'Start the first question' : 'Next question', onclick: () => next() });
  show(h('section', { class: 'screen card center' },
    h('p', { class: 'game-title', text: attempt.info.title }),
    h('h1', { text: state.answered === 0 ? `Ready, ${attempt.nickname}?` : `${state.answered} of ${state.count} answered` }),
    h('p', { class: 'muted', text: attempt.info.timer ? 'Each question is timed from when it appears. You can stop between questions and come back later.' : 'Take your time. You can stop between questions and come back later.' }),
    go));
  go.focus();
}

function choiceButton(text, colour, onclick, extra = {}) {
  return h('button', { type: 'button', class: `answer c${colour % 6}`, onclick, ...extra },
    h('span', { class: 'shape', 'aria-hidden': 'true', text: SHAPES[colour % 6] }),
    h('span', { class: 'label', text }));
}

function showQuestion(question) {
  const send = (payload, controls) => answer(question, payload, controls);
  let body;
  if (question.type === 'single' || question.type === 'poll') {
    body = h('div', { class: 'answers' }, question.answers.map((a, k) => choiceButton(a.text, k, () => send(a.id, body))));
  } else if (question.type === 'truefalse') {
    body = h('div', { class: 'answers two' }, choiceButton('True', 1, () => send(true, body)), choiceButton('False', 0, () => send(false, body)));
  } else if (question.type === 'multi') {
    const chosen = new Set();
    const submit = h('button', { class: 'go', type: 'submit', text: 'Submit', disabled: true });
    body = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'answers' }, question.answers.map((a, k) => {
        const button = choiceButton(a.text, k, () => {
          if (!chosen.delete(a.id)) {
            chosen.add(a.id);
          }
          button.setAttribute('aria-pressed', String(chosen.has(a.id)));
          submit.disabled = chosen.size === 0;
        }, { 'aria-pressed': 'false' });
        return button;
      })), submit);
    body.addEventListener('submit', (event) => {
      event.preventDefault();
      send([...chosen], body);
    });
  } else if (question.type === 'typeanswer') {
    const input = h('input', { id: 'typed', name: 'typed', type: 'text', maxlength: 75, autocomplete: 'off', enterkeyhint: 'send', spellcheck: 'false', 'aria-label': 'Your answer' });
    body = h('form', { class: 'stack', novalidate: true }, input, h('button', { class: 'go', type: 'submit', text: 'Submit' }));
    body.addEventListener('submit', (event) => {
      event.preventDefault();
      send(input.value, body);
    });
  } else {
    const order = question.items.map((item, k) => ({ ...item, colour: k }));
    const list = h('ol', { class: 'order' });
    const render = () => list.replaceChildren(...order.map((item, k) => h('li', { class: `item c${item.colour % 6}` },
      h('span', { class: 'label', text: item.text }),
      h('button', { type: 'button', class: 'move', text: '↑', 'aria-label': `Move ${item.text} up`, disabled: k === 0, onclick: () => move(k, -1) }),
      h('button', { type: 'button', class: 'move', text: '↓', 'aria-label': `Move ${item.text} down`, disabled: k === order.length - 1, onclick: () => move(k, 1) }))));
    const move = (k, delta) => {
      const [item] = order.splice(k, 1);
      order.splice(k + delta, 0, item);
      render();
    };
    render();
    body = h('form', { class: 'stack', novalidate: true }, list, h('button', { class: 'go', type: 'submit', text: 'Submit' }));
    body.addEventListener('submit', (event) => {
      event.preventDefault();
      send(order.map((item) => item.id), body);
    });
  }
  const meta = h('p', { class: 'qmeta' }, h('span', { text: `Question ${question.number} of ${question.count}` }));
  const parts = [meta, h('h1', { class: 'qtext small', text: question.text })];
  if (question.image) {
    // The picture's address comes with the question (good for a day); it is small on a phone.
    parts.push(h('img', { class: 'qimage small', src: question.image, alt: '' }));
  }
  if (question.closesInMs !== null && question.closesInMs !== undefined) {
    const seconds = h('span', { class: 'secs', 'aria-label': 'Seconds left' });
    meta.append(seconds);
    const closesAt = Date.now() + question.closesInMs;
    const fill = h('span', { class: 'timer-fill' });
    if (question.closesInMs > 0 && fill.animate) {
      fill.animate([{ transform: `scaleX(${question.closesInMs / (question.timeLimit * 1000)})` }, { transform: 'scaleX(0)' }],
        { duration: question.closesInMs, easing: 'linear', fill: 'forwards' });
    }
    parts.push(h('div', { class: 'timer', 'aria-hidden': 'true' }, fill));
    const tick = () => {
      const left = Math.max(0, Math.ceil((closesAt - Date.now()) / 1000));
      seconds.textContent = String(left);
      if (left === 0) {
        window.clearInterval(ticker);
        showTimeUp();
      }
    };
    window.setTimeout(tick, 0);
    window.setTimeout(() => {
      ticker = window.setInterval(tick, 250);
    }, 0);
  }
  parts.push(h('p', { class: 'hint', text: TYPES[question.type] || '' }), body);
  show(h('section', { class: 'screen' }, ...parts));
  view.querySelector('input[type=text]')?.focus();
}

function showTimeUp() {
  const go = h('button', { class: 'go', type: 'button', text: 'Next question', onclick: () => next() });
  show(h('section', { class: 'screen card center' }, h('h1', { text: 'Time’s up' }), h('p', { class: 'muted', text: 'This question counts as unanswered.' }), go));
  go.focus();
}

async function answer(question, payload, controls) {
  const buttons = [...controls.querySelectorAll('button, input')];
  if (controls.dataset.busy) {
    return;
  }
  controls.dataset.busy = '1';
  buttons.forEach((b) => {
    b.disabled = true;
  });
  const result = await call('/answers', { token: attempt.token, questionIndex: question.index, answer: payload });
  delete controls.dataset.busy;
  if (!result.ok) {
    buttons.forEach((b) => {
      b.disabled = false;
    });
    alertText(result.body.detail || Object.values(result.body.errors || {})[0]?.[0] || 'Your answer was not sent. Try again.');
    if (result.status === 409) {
      next();
    }
    return;
  }
  alertText('');
  bar(result.body.state);
  const { feedback, state } = result.body;
  const go = h('button', {
    class: 'go', type: 'button', text: state.status === 'ready' ? 'Next question' : 'See how you did',
    onclick: () => (state.status === 'ready' ? next() : proceed(state)),
  });
  const lines = [h('h1', { text: 'Answer saved' })];
  if (feedback) {
    lines[0] = h('h1', { class: `feedback ${feedback.correct === false ? 'wrong' : 'right'}`, text: feedback.correct === null ? 'Thanks for voting' : feedback.correct ? 'Right!' : 'Not quite' });
    if (feedback.correct) {
      lines.push(h('p', { class: 'nick', text: `+${points(feedback.points + feedback.streakBonus)}` }));
    }
  }
  show(h('section', { class: 'screen card center' }, ...lines, h('p', { class: 'muted', text: `${state.answered} of ${state.count} answered` }), go));
  go.focus();
}

function showEnd(state) {
  const parts = [h('p', { class: 'game-title', text: attempt.info.title })];
  if (state.status === 'over') {
    parts.push(h('h1', { text: 'This assignment is over' }), h('p', { class: 'muted', text: 'The deadline has passed: no more answers are accepted.' }));
  } else {
    parts.push(h('p', { class: 'badge', 'aria-hidden': 'true', text: '✓' }), h('h1', { text: 'All done!' }));
  }
  if (state.score !== null && state.score !== undefined) {
    parts.push(h('p', { class: 'nick', text: `${points(state.score)} points` }));
  }
  if (state.results) {
    const right = state.results.filter((r) => r.correct === true).length;
    const scored = state.results.filter((r) => r.correct !== null).length;
    parts.push(h('p', { text: `${right} of ${scored} right` }),
      h('ol', { class: 'results', 'aria-label': 'Your answers' }, state.results.map((r, k) => h('li', {},
        h('span', { text: `Question ${k + 1}` }),
        h('span', { class: 'mark', text: r.correct === null ? (r.answered ? 'Voted' : '–') : r.correct ? '✓ Right' : r.answered ? '✗ Wrong' : '– No answer' })))));
  } else if (state.status === 'finished') {
    parts.push(h('p', { class: 'muted', text: 'Your answers are saved. Your results appear here after the deadline.' }));
  }
  if (state.status === 'finished' && state.attemptsLeft > 0 && state.open) {
    parts.push(h('button', {
      class: 'go', type: 'button', text: `Try again (${state.attemptsLeft} left)`, onclick: async () => {
        const again = await call('/start', { name: attempt.nickname, token: attempt.token });
        if (!again.ok) {
          alertText(again.body.detail || 'That did not work.');
          return;
        }
        remember(again.body.token, again.body.nickname);
        proceed(again.body.state);
      },
    }));
  }
  show(h('section', { class: 'screen card center' }, ...parts));
}

load();
