// "Host live": the button and the small options dialog that start a live game of a quiz
// (POST /api/games) and open the host's screen (/games/{id}/host). Used by the quiz library (/quizzes)
// and the quiz page (/quizzes/{id}). Class names go in with textContent only (through el()).
import { ApiError, api, el, messageFor, setBusy, showBanner } from '/js/api.js';

const PODIUM_SIZES = [3, 4, 5, 6, 7, 8, 9, 10];
let dialogCounter = 0;

/**
 * The "Host live" button for a quiz ({id, title}). `warning()` may return a sentence the dialog shows
 * first (the editor: unsaved changes are not in the game).
 */
export function hostButton(quiz, { small = true, warning = null } = {}) {
  const button = el('button', {
    className: `button button-primary${small ? ' button-small' : ''}`,
    text: 'Host live',
    attrs: { type: 'button', 'aria-label': `Host live: ${quiz.title}`, 'data-host-quiz': quiz.id },
  });
  button.addEventListener('click', () => hostDialog(quiz, { opener: button, warning: warning?.() }));
  return button;
}

function check(id, name, label, hint, checked) {
  return el('label', { className: 'check', attrs: { for: id } }, [
    el('input', { attrs: { id, name, type: 'checkbox', checked } }),
    el('span', {}, [label, el('span', { className: 'hint', text: hint })]),
  ]);
}

/** Opens the options dialog; on Start it creates the game and goes to its host screen. */
export function hostDialog(quiz, { opener = null, warning = null } = {}) {
  const n = ++dialogCounter;
  const ids = { title: `host-title-${n}`, podium: `host-podium-${n}`, klass: `host-class-${n}` };
  const banner = el('div', { className: 'banner banner-error', attrs: { role: 'alert', hidden: true } });
  const podium = el('select', { attrs: { id: ids.podium, name: 'podiumSize' } },
    PODIUM_SIZES.map((size) => el('option', { text: size === 3 ? '3 (the classic podium)' : String(size), attrs: { value: size } })));
  const klass = el('select', { attrs: { id: ids.klass, name: 'classId' } }, [
    el('option', { text: 'No class: players choose a nickname', attrs: { value: '' } }),
  ]);
  const start = el('button', { className: 'button button-primary', text: 'Start hosting', attrs: { type: 'submit' } });
  const cancel = el('button', { className: 'button', text: 'Cancel', attrs: { type: 'button' } });
  const generator = check(`host-generator-${n}`, 'nicknameGenerator', 'Friendly nickname generator',
    'Players get a name like “Brave Otter” instead of typing their own.', false);
  const form = el('form', { className: 'host-options', attrs: { novalidate: true } }, [
    el('h2', { text: 'Host live', attrs: { id: ids.title } }),
    el('p', { className: 'host-options-quiz', text: quiz.title }),
    warning ? el('p', { className: 'banner banner-warn', text: warning }) : null,
    banner,
    check(`host-streaks-${n}`, 'streaks', 'Answer streak bonus', 'Extra points for right answers in a row (up to 500).', true),
    el('div', { className: 'field' }, [
      el('label', { text: 'Podium size', attrs: { for: ids.podium } }),
      podium,
      el('p', { className: 'hint', text: 'How many players the final podium shows.' }),
    ]),
    el('div', { className: 'field' }, [
      el('label', { text: 'Play with a class', attrs: { for: ids.klass } }),
      klass,
      el('p', { className: 'hint', text: 'Students choose their name from the class list, so the results match your roster.' }),
    ]),
    check(`host-shuffle-${n}`, 'shuffleAnswers', 'Shuffle the answers', 'Each question’s answers in a random order.', false),
    generator,
    el('div', { className: 'actions modal-actions' }, [start, cancel]),
  ]);
  const dialog = el('dialog', { className: 'modal host-dialog', attrs: { 'aria-labelledby': ids.title } }, [form]);

  // A class game uses the roster's names: the generator does not apply.
  const generatorInput = generator.querySelector('input');
  klass.addEventListener('change', () => {
    generatorInput.disabled = Boolean(klass.value);
    if (klass.value) {
      generatorInput.checked = false;
    }
    generator.classList.toggle('is-disabled', Boolean(klass.value));
  });

  api('/api/classes').then((classes) => {
    klass.append(...classes.map((c) => el('option', { text: `${c.name} (${c.studentCount} ${c.studentCount === 1 ? 'student' : 'students'})`, attrs: { value: c.id } })));
  }, (error) => showBanner(banner, `Your classes could not be loaded: ${messageFor(error)}`));

  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showBanner(banner, '');
    const f = form.elements;
    const options = {
      streaks: f.streaks.checked,
      podiumSize: Number(f.podiumSize.value),
      shuffleAnswers: f.shuffleAnswers.checked,
      nicknameGenerator: f.nicknameGenerator.checked,
    };
    if (f.classId.value) {
      options.classId = Number(f.classId.value);
    }
    setBusy(start, true, 'Starting…');
    try {
      const game = await api('/api/games', { method: 'POST', body: { quizId: quiz.id, options } });
      window.location.assign(`/games/${game.id}/host`);
    } catch (error) {
      setBusy(start, false);
      const fields = error instanceof ApiError ? Object.values(error.errors).flat() : [];
      showBanner(banner, fields.length ? fields.join(' ') : messageFor(error));
    }
  });

  document.body.append(dialog);
  dialog.showModal();
  start.focus();
  return dialog;
}

// ---- Assign ---------------------------------------------------------------------------------------
// "Assign": the same kind of dialog for homework (POST /api/assignments): a deadline, a class or nicknames,
// the timer, shuffles, attempts and when students see the answers; then the teacher's list of assignments
// (/assignments?created={id}) with the link and QR code to hand out.

/** The "Assign" button for a quiz ({id, title}). */
export function assignButton(quiz, { small = true, warning = null } = {}) {
  const button = el('button', {
    className: `button${small ? ' button-small' : ''}`,
    text: 'Assign',
    attrs: { type: 'button', 'aria-label': `Assign as homework: ${quiz.title}`, 'data-assign-quiz': quiz.id },
  });
  button.addEventListener('click', () => assignDialog(quiz, { opener: button, warning: warning?.() }));
  return button;
}

/** A datetime-local value (the browser's time zone) a week from now at 8 in the morning. */
function nextWeek() {
  const due = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  due.setHours(8, 0, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T${pad(due.getHours())}:${pad(due.getMinutes())}`;
}

function field(id, label, control, hint) {
  return el('div', { className: 'field' }, [
    el('label', { text: label, attrs: { for: id } }),
    control,
    hint ? el('p', { className: 'hint', text: hint }) : null,
  ]);
}

export function assignDialog(quiz, { opener = null, warning = null } = {}) {
  const n = ++dialogCounter;
  const ids = { title: `assign-title-${n}`, deadline: `assign-deadline-${n}`, klass: `assign-class-${n}`, attempts: `assign-attempts-${n}`, show: `assign-show-${n}` };
  const banner = el('div', { className: 'banner banner-error', attrs: { role: 'alert', hidden: true } });
  const deadline = el('input', { attrs: { id: ids.deadline, name: 'deadline', type: 'datetime-local', required: true, value: nextWeek() } });
  const klass = el('select', { attrs: { id: ids.klass, name: 'classId' } }, [
    el('option', { text: 'No class: students type a nickname', attrs: { value: '' } }),
  ]);
  const attempts = el('select', { attrs: { id: ids.attempts, name: 'attempts' } },
    [1, 2, 3, 5, 10].map((count) => el('option', { text: count === 1 ? '1 (one try)' : String(count), attrs: { value: count } })));
  const show = el('select', { attrs: { id: ids.show, name: 'showAnswers' } }, [
    el('option', { text: 'At the end of the attempt', attrs: { value: 'at-end' } }),
    el('option', { text: 'After each question', attrs: { value: 'after-each' } }),
    el('option', { text: 'After the deadline', attrs: { value: 'after-deadline' } }),
  ]);
  const start = el('button', { className: 'button button-primary', text: 'Assign', attrs: { type: 'submit' } });
  const cancel = el('button', { className: 'button', text: 'Cancel', attrs: { type: 'button' } });
  const form = el('form', { className: 'host-options', attrs: { novalidate: true } }, [
    el('h2', { text: 'Assign as homework', attrs: { id: ids.title } }),
    el('p', { className: 'host-options-quiz', text: quiz.title }),
    warning ? el('p', { className: 'banner banner-warn', text: warning }) : null,
    banner,
    field(ids.deadline, 'Deadline', deadline, 'After this, no more answers are accepted and the results are final.'),
    field(ids.klass, 'Class', klass, 'Students choose their name from the class list, so the results match your roster.'),
    check(`assign-timer-${n}`, 'timer', 'Timer', 'Each question has its time limit and faster right answers earn more, as in a live game. Off: a right answer earns its full points.', true),
    check(`assign-shuffle-q-${n}`, 'shuffleQuestions', 'Shuffle the questions', 'Each student gets the questions in a random order.', false),
    check(`assign-shuffle-a-${n}`, 'shuffleAnswers', 'Shuffle the answers', 'Each question’s answers in a random order.', false),
    field(ids.attempts, 'Attempts', attempts, 'How many times a student may do it; the report counts their best attempt.'),
    field(ids.show, 'Show the right answers', show, null),
    el('div', { className: 'actions modal-actions' }, [start, cancel]),
  ]);
  const dialog = el('dialog', { className: 'modal host-dialog', attrs: { 'aria-labelledby': ids.title } }, [form]);

  api('/api/classes').then((classes) => {
    klass.append(...classes.map((c) => el('option', { text: `${c.name} (${c.studentCount} ${c.studentCount === 1 ? 'student' : 'students'})`, attrs: { value: c.id } })));
  }, (error) => showBanner(banner, `Your classes could not be loaded: ${messageFor(error)}`));

  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showBanner(banner, '');
    const f = form.elements;
    const due = new Date(f.deadline.value);
    if (!f.deadline.value || Number.isNaN(due.getTime())) {
      showBanner(banner, 'Choose the deadline: a date and a time.');
      return;
    }
    const options = {
      timer: f.timer.checked ? 'on' : 'off',
      shuffleQuestions: f.shuffleQuestions.checked,
      shuffleAnswers: f.shuffleAnswers.checked,
      attempts: Number(f.attempts.value),
      showAnswers: f.showAnswers.value,
    };
    if (f.classId.value) {
      options.classId = Number(f.classId.value);
    }
    setBusy(start, true, 'Assigning…');
    try {
      const created = await api('/api/assignments', { method: 'POST', body: { quizId: quiz.id, deadline: due.toISOString(), options } });
      window.location.assign(`/assignments?created=${created.id}`);
    } catch (error) {
      setBusy(start, false);
      const fields = error instanceof ApiError ? Object.values(error.errors).flat() : [];
      showBanner(banner, fields.length ? fields.join(' ') : messageFor(error));
    }
  });

  document.body.append(dialog);
  dialog.showModal();
  deadline.focus();
  return dialog;
}
