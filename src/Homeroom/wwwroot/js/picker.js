// /classes/{id}/picker: the projector screen. One big name, picked by the server; the page never
// chooses a student itself (the short shuffle before a name appears is decoration that always ends on
// the server's pick). Keyboard: Space/Enter pick, P pass, A absent after all, U undo (the last thing done
// here: a pick, a pass or absence, or a reshuffle), R reshuffle (after a confirmation), F full screen,
// W the wheel (an optional show that spins while the server picks and lands on its pick, then confetti;
// remembered by the browser; no motion for people who ask their system for less).
import { create as createConfetti } from '/lib/canvas-confetti/confetti.module.js';
import { api, messageFor, requireSignIn, showBanner, showPageError } from '/js/api.js';
import { classIdFromPath, confirmDialog, displayName } from '/js/classes-common.js';
import { createWheel } from '/js/picker-wheel.js';

const SHUFFLE_MS = 650;
const SHUFFLE_STEP_MS = 65;

const classId = classIdFromPath();
const base = `/api/classes/${classId}`;
const nameEl = document.getElementById('pick-name');
const pronounsEl = document.getElementById('pick-pronouns');
const statusEl = document.getElementById('pick-status');
const announceEl = document.getElementById('announce');
const errorBanner = document.getElementById('error-banner');
const buttons = {
  pick: document.getElementById('pick'),
  pass: document.getElementById('pass'),
  absent: document.getElementById('absent'),
  undo: document.getElementById('undo'),
  reshuffle: document.getElementById('reshuffle'),
};
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
const WHEEL_KEY = 'homeroom.picker.wheel';
const wheelToggle = document.getElementById('wheel-toggle');
const wheelBox = document.getElementById('wheel-box');
const wheel = createWheel(document.getElementById('wheel'));
let confetti = null;

const state = {
  ready: false,
  busy: false,
  /** The fair round: number, how many are present, how many of them are still to have a turn. */
  round: { round: 1, present: 0, remaining: 0 },
  /** Present students, only for the shuffle animation and the wheel. */
  pool: [],
  /** Present students still to have a turn in the fair round (the wheel's names in fair mode). */
  remaining: [],
  /** Whether the wheel is shown (remembered by the browser). */
  wheel: false,
  /** Whether a pick was asked for before the page was ready (it is made once it is). */
  pickWhenReady: false,
  /** The pick on screen: { pick, outcome } or null. */
  current: null,
  /**
   * What was done on this screen, oldest first, for Undo to take back the last: { kind: 'pick', pick },
   * { kind: 'outcome', entry, previous } (a pass or absence; previous is the outcome before) or { kind: 'reshuffle' }.
   */
  undoable: [],
};

function mode() {
  return document.querySelector('#mode input:checked')?.value || 'fair';
}

// ---- Display

function setName(text, { idle = false } = {}) {
  nameEl.textContent = text;
  const length = Array.from(text).length;
  nameEl.classList.toggle('is-idle', idle);
  nameEl.classList.toggle('name-long', !idle && length > 11 && length <= 18);
  nameEl.classList.toggle('name-xlong', !idle && length > 18);
}

function showStudent(student, outcome = null) {
  setName(displayName(student));
  pronounsEl.textContent = student.pronouns || '';
  nameEl.classList.toggle('is-passed', outcome === 'passed' || outcome === 'absent');
  nameEl.classList.toggle('is-undone', outcome === 'undone');
}

function showIdle(text) {
  setName(text, { idle: true });
  pronounsEl.textContent = '';
  nameEl.classList.remove('is-passed', 'is-undone');
  delete nameEl.dataset.pickId;
}

function say(message, { announce = true } = {}) {
  statusEl.textContent = message;
  if (announce) {
    announceEl.textContent = message;
  }
}

function renderRound() {
  const { round, present, remaining } = state.round;
  const text = document.getElementById('round-text');
  const bar = document.getElementById('round-bar');
  if (present === 0) {
    text.textContent = `Round ${round} · nobody is present`;
  } else if (remaining === 0) {
    text.textContent = `Round ${round} · everyone has had a turn`;
  } else {
    text.textContent = `Round ${round} · ${remaining} of ${present} left`;
  }
  bar.max = Math.max(present, 1);
  bar.value = present - remaining;
  bar.setAttribute('aria-label', `Round ${round} progress: ${present - remaining} of ${present} have had a turn`);

  const note = document.getElementById('round-note');
  const current = mode();
  if (current === 'random') {
    note.textContent = 'Random: anyone can come up, even twice in a row. These picks do not use up the round.';
  } else if (current === 'weighted') {
    note.textContent = 'Weighted: anyone can come up, but students called less often are more likely. These picks do not use up the round.';
  } else {
    note.textContent = present > 0 && remaining === 0 ? `The next pick starts round ${round + 1}.` : '';
  }
  note.hidden = !note.textContent;
}

function renderButtons() {
  const live = state.current && state.current.outcome !== 'undone';
  buttons.pick.disabled = state.busy || !state.ready;
  buttons.pass.disabled = state.busy || !live || state.current.outcome === 'passed';
  buttons.absent.disabled = state.busy || !live || state.current.outcome === 'absent';
  buttons.undo.disabled = state.busy || state.undoable.length === 0;
  buttons.reshuffle.disabled = state.busy || !state.ready;
}

async function refreshRound({ keepWheel = false } = {}) {
  const status = await api(`${base}/picks/round`);
  state.round = { round: status.round, present: status.present, remaining: status.remaining.length };
  state.pool = [...status.remaining, ...status.picked];
  state.remaining = status.remaining;
  renderRound();
  if (!keepWheel) {
    fillWheel();
  }
}

// ---- The wheel

/** The students the next pick can land on: the round's remaining ones in fair mode (everyone once a round is over). */
function wheelStudents() {
  return mode() === 'fair' && state.remaining.length > 0 ? state.remaining : state.pool;
}

function fillWheel() {
  if (state.wheel) {
    wheel.setStudents(wheelStudents());
  }
}

function setWheel(on, { remember = true } = {}) {
  state.wheel = on;
  wheelToggle.setAttribute('aria-pressed', String(on));
  wheelBox.hidden = !on;
  document.getElementById('main').classList.toggle('with-wheel', on);
  if (remember) {
    try {
      window.localStorage.setItem(WHEEL_KEY, on ? 'on' : 'off');
    } catch {
      // Private windows may refuse storage: the switch still works for this visit.
    }
  }
  fillWheel();
}

function celebrate() {
  if (reducedMotion.matches) {
    return;
  }
  confetti ??= createConfetti(document.getElementById('confetti'), { resize: true, useWorker: false });
  confetti({ particleCount: 140, spread: 80, startVelocity: 45, origin: { y: 0.55 }, disableForReducedMotion: true });
  document.body.dataset.celebrations = String(Number(document.body.dataset.celebrations || 0) + 1);
}

// ---- Actions

const sleep = (ms) => new Promise((resolve) => {
  window.setTimeout(resolve, ms);
});

/** Flickers through present names until the server's answer is in (and at least SHUFFLE_MS). */
async function shuffleUntil(request) {
  const pool = state.pool;
  if (reducedMotion.matches || pool.length < 2) {
    return request;
  }
  const started = performance.now();
  nameEl.classList.remove('is-passed', 'is-undone', 'is-revealed');
  nameEl.classList.add('is-shuffling');
  pronounsEl.textContent = '';
  let index = Math.floor(Math.random() * pool.length);
  const timer = window.setInterval(() => {
    index = (index + 1 + Math.floor(Math.random() * (pool.length - 1))) % pool.length;
    setName(displayName(pool[index]));
  }, SHUFFLE_STEP_MS);
  try {
    const result = await request;
    const left = SHUFFLE_MS - (performance.now() - started);
    if (left > 0) {
      await sleep(left);
    }
    return result;
  } finally {
    window.clearInterval(timer);
    nameEl.classList.remove('is-shuffling');
  }
}

async function run(action) {
  if (state.busy || !state.ready) {
    return;
  }
  state.busy = true;
  renderButtons();
  showBanner(errorBanner, '');
  try {
    await action();
  } catch (error) {
    showBanner(errorBanner, messageFor(error));
    announceEl.textContent = messageFor(error);
  } finally {
    state.busy = false;
    renderButtons();
  }
}

function pick() {
  if (!state.ready) {
    // Space pressed while the class is still loading (right after opening or reloading the page) is
    // not dropped: the pick happens as soon as the page is ready.
    state.pickWhenReady = true;
    return Promise.resolve();
  }
  return run(async () => {
    const previous = { text: nameEl.textContent, classes: nameEl.className, pronouns: pronounsEl.textContent };
    let result;
    try {
      const request = api(`${base}/picks`, { method: 'POST', body: { mode: mode() } });
      if (state.wheel && state.pool.length > 0) {
        wheel.setStudents(wheelStudents());
        nameEl.classList.remove('is-passed', 'is-undone', 'is-revealed');
        setName('…', { idle: true });
        pronounsEl.textContent = '';
        result = await wheel.spinTo(request, (r) => r.student, { reducedMotion: reducedMotion.matches });
      } else {
        result = await shuffleUntil(request);
      }
    } catch (error) {
      nameEl.className = previous.classes;
      nameEl.textContent = previous.text;
      pronounsEl.textContent = previous.pronouns;
      throw error;
    }
    state.current = { pick: result, outcome: null };
    state.undoable.push({ kind: 'pick', pick: result, entry: state.current });
    state.round = { round: result.round, present: result.present, remaining: result.remainingInRound };
    showStudent(result.student);
    nameEl.dataset.pickId = String(result.id);
    nameEl.classList.remove('is-revealed');
    void nameEl.offsetWidth; // restart the reveal animation
    nameEl.classList.add('is-revealed');
    say('', { announce: false });
    announceEl.textContent = `${displayName(result.student)}${result.student.pronouns ? ` (${result.student.pronouns})` : ''}`;
    renderRound();
    if (state.wheel) {
      celebrate();
      // The wheel stays on the pick until the next action; the names for the next pick come with it.
      await refreshRound({ keepWheel: true });
    }
  });
}

function setOutcome(outcome) {
  return run(async () => {
    const current = state.current;
    if (!current || current.outcome === 'undone' || current.outcome === outcome) {
      return;
    }
    await api(`${base}/picks/${current.pick.id}`, { method: 'PATCH', body: { outcome } });
    state.undoable.push({ kind: 'outcome', entry: current, previous: current.outcome });
    current.outcome = outcome;
    const name = displayName(current.pick.student);
    showStudent(current.pick.student, outcome);
    say(outcome === 'passed'
      ? `${name} passed and goes back into the round.`
      : `${name} is marked absent today and leaves the round.`);
    await refreshRound();
  });
}

/** Takes back the last thing done on this screen: a pick, a pass or absence, or a reshuffle. */
function undo() {
  return run(async () => {
    const last = state.undoable.at(-1);
    if (!last) {
      return;
    }
    if (last.kind === 'reshuffle') {
      await api(`${base}/picks/reshuffle`, { method: 'DELETE' });
      state.undoable.pop();
      state.current = last.current;
      await refreshRound();
      if (state.current) {
        showStudent(state.current.pick.student, state.current.outcome);
      } else {
        showIdle('Ready');
      }
      say(`Reshuffle undone: back to round ${state.round.round}.`);
      return;
    }
    const entry = last.entry;
    const name = displayName(entry.pick.student);
    if (last.kind === 'outcome') {
      await (last.previous
        ? api(`${base}/picks/${entry.pick.id}`, { method: 'PATCH', body: { outcome: last.previous } })
        : api(`${base}/picks/${entry.pick.id}/outcome`, { method: 'DELETE' }));
      state.undoable.pop();
      entry.outcome = last.previous;
      say(`Undone: ${name} is called again${last.previous ? ` (${last.previous})` : ''}.`);
    } else {
      await api(`${base}/picks/${entry.pick.id}`, { method: 'DELETE' });
      state.undoable.pop();
      entry.outcome = 'undone';
      say(`Undone: ${name} is back in the round.`);
    }
    if (state.current === entry) {
      showStudent(entry.pick.student, entry.outcome);
    }
    await refreshRound();
  });
}

async function reshuffle() {
  if (state.busy || !state.ready) {
    return;
  }
  const sure = await confirmDialog({
    title: 'Start a new round?',
    message: 'Everyone present goes back into the round, including those who have had a turn. Undo takes it back until the next pick.',
    confirmLabel: 'Reshuffle',
  });
  if (!sure) {
    return;
  }
  await run(async () => {
    await api(`${base}/picks/reshuffle`, { method: 'POST' });
    state.undoable.push({ kind: 'reshuffle', current: state.current });
    state.current = null;
    await refreshRound();
    showIdle('Ready');
    say(`New round ${state.round.round}: everyone present is back in.`);
  });
}

async function toggleFullScreen() {
  try {
    if (document.fullscreenElement) {
      await document.exitFullscreen();
    } else {
      await document.documentElement.requestFullscreen();
    }
  } catch {
    say('This browser would not go full screen. Try your browser’s own full-screen key (often F11).');
  }
}

document.addEventListener('fullscreenchange', () => {
  document.getElementById('fullscreen').textContent = document.fullscreenElement ? 'Exit full screen' : 'Full screen';
});

// ---- Wiring

const actions = {
  pick,
  pass: () => setOutcome('passed'),
  absent: () => setOutcome('absent'),
  undo,
  reshuffle,
};
for (const [name, button] of Object.entries(buttons)) {
  button.addEventListener('click', (event) => {
    actions[name]();
    // A mouse click should not leave focus on the button, or Space would press it again instead of picking.
    if (event.detail > 0) {
      button.blur();
    }
  });
}
document.getElementById('fullscreen').addEventListener('click', (event) => {
  toggleFullScreen();
  if (event.detail > 0) {
    event.currentTarget.blur();
  }
});
wheelToggle.addEventListener('click', (event) => {
  setWheel(!state.wheel);
  if (event.detail > 0) {
    wheelToggle.blur();
  }
});
window.addEventListener('resize', () => wheel.redraw());
for (const radio of document.querySelectorAll('#mode input')) {
  radio.addEventListener('change', () => {
    renderRound();
    fillWheel();
  });
  radio.addEventListener('click', (event) => {
    if (event.detail > 0) {
      radio.blur();
    }
  });
}

const shortcuts = {
  ' ': pick,
  Enter: pick,
  p: actions.pass,
  a: actions.absent,
  u: undo,
  r: reshuffle,
  f: toggleFullScreen,
  w: () => setWheel(!state.wheel),
};

document.addEventListener('keydown', (event) => {
  // While a confirmation is open, keys belong to it.
  if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) {
    return;
  }
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const handler = shortcuts[key];
  if (!handler) {
    return;
  }
  // Keys keep their usual meaning on focused controls: Space and Enter press a focused button or link.
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('input:not([type=radio]), textarea, select, [contenteditable]')) {
    return;
  }
  if ((key === ' ' || key === 'Enter') && target?.closest('button:not(#pick), a[href], input[type=radio]')) {
    return;
  }
  event.preventDefault();
  if (event.repeat) {
    return;
  }
  handler();
});

try {
  await requireSignIn();
  const cls = await api(base);
  document.title = `Picker · ${cls.name} · Homeroom`;
  document.getElementById('class-name').textContent = cls.name;
  document.getElementById('back-link').href = `/classes/${classId}`;
  let remembered = null;
  try {
    remembered = window.localStorage.getItem(WHEEL_KEY);
  } catch {
    remembered = null;
  }
  setWheel(remembered === 'on', { remember: false });
  await refreshRound();
  state.ready = true;
  if (state.round.present === 0) {
    showIdle('Nobody to pick');
    say('Nobody in this class is present. Add students or mark some present on the class page.');
  } else {
    showIdle('Ready');
    say('Press Space to pick a student.', { announce: false });
  }
  renderButtons();
  if (state.pickWhenReady && state.round.present > 0) {
    pick();
  }
} catch (error) {
  showPageError(error);
  showIdle('');
}
