// /quizzes/new and /quizzes/{id}: the quiz editor, or a read-only view of another teacher's public quiz.
//
// The editor keeps the quiz in `quiz` (one object per question, whatever its type) and draws the
// questions from it; inputs write straight back into it. Saving sends the quiz contract (POST for a
// new quiz, PUT with If-Match for an existing one). A 400 puts each message beside the input its field
// path names (`questions[2].answers[1].text`), a 412 says someone else saved first. Every text from
// the API or the teacher goes in with textContent (el()).
import {
  ApiError, api, apiResponse, el, messageFor, renderHeader, requireSignIn, revealPage, setBusy, showBanner,
  showPageError,
} from '/js/api.js';
import { confirmDialog } from '/js/classes-common.js';
import { assignButton, hostButton } from '/js/host-options.js';
import { liveGameActions } from '/js/reports-common.js';
import {
  POINTS, QUESTION_TYPES, TIME_LIMITS, coverClass, exportMenu, formatDate, ownerName, plural, quizIdFromPath,
  starButton, timeLabel, typeLabel,
} from '/js/quizzes-common.js';

const MAX_QUESTIONS = 100;
const MIN_CHOICES = 2;
const MAX_CHOICES = 6;
const MAX_ACCEPTED = 10;
const MAX_QUESTION_TEXT = 280;
const SHAPES = ['▲', '◆', '●', '■', '★', '⬟'];
const TYPE_ICONS = { single: '◉', multi: '☑', truefalse: '⇄', typeanswer: '⌨', order: '⇅', poll: '▤' };

const form = document.getElementById('quiz-form');
const list = document.getElementById('questions');
const summary = document.getElementById('summary');
const conflict = document.getElementById('conflict');
const saveButton = document.getElementById('save');
const saveStatus = document.getElementById('save-status');
const moveStatus = document.getElementById('move-status');

let quizId = quizIdFromPath();
let etag = null;
let detail = null;
let quiz = null;
let saved = '';
let nextKey = 1;
let saving = false;

// ---- The model -------------------------------------------------------------------------------

function key() {
  return nextKey++;
}

function blankQuestion(type) {
  return {
    key: key(),
    type,
    text: '',
    timeLimit: 20,
    points: type === 'poll' ? 0 : 1000,
    answers: [blankAnswer(), blankAnswer()],
    correct: null,
    accepted: [{ key: key(), text: '' }],
    items: [{ key: key(), text: '' }, { key: key(), text: '' }],
    imageId: null,
  };
}

function blankAnswer(text = '', correct = false) {
  return { key: key(), text, correct };
}

/** The editor's model of a stored quiz: every question keeps room for every type's fields. */
function fromDetail(source) {
  return {
    title: source.title || '',
    description: source.description || '',
    tags: (source.tags || []).join(', '),
    visibility: source.visibility || 'private',
    questions: (source.questions || []).map((q) => {
      const question = blankQuestion(q.type);
      question.text = q.text || '';
      question.timeLimit = q.timeLimit ?? 20;
      question.points = q.points ?? 1000;
      question.imageId = q.imageId ?? null;
      if (q.answers) {
        question.answers = q.answers.map((a) => blankAnswer(a.text || '', a.correct === true));
      }
      if (typeof q.correct === 'boolean') {
        question.correct = q.correct;
      }
      if (q.accepted) {
        question.accepted = q.accepted.map((text) => ({ key: key(), text }));
      }
      if (q.items) {
        question.items = q.items.map((text) => ({ key: key(), text }));
      }
      return question;
    }),
  };
}

function splitTags(text) {
  return text.split(',').map((t) => t.trim()).filter(Boolean);
}

/** The quiz contract to send, with only the fields each question's type uses. */
function payload() {
  return {
    title: quiz.title,
    description: quiz.description.trim() ? quiz.description : null,
    tags: splitTags(quiz.tags),
    visibility: quiz.visibility,
    questions: quiz.questions.map((q) => {
      const out = { type: q.type, text: q.text, timeLimit: q.timeLimit, points: q.points };
      if (q.imageId) {
        out.imageId = q.imageId;
      }
      if (q.type === 'single' || q.type === 'multi') {
        out.answers = q.answers.map((a) => ({ text: a.text, correct: a.correct }));
      } else if (q.type === 'poll') {
        out.answers = q.answers.map((a) => ({ text: a.text }));
      } else if (q.type === 'truefalse') {
        out.correct = q.correct;
      } else if (q.type === 'typeanswer') {
        out.accepted = q.accepted.map((a) => a.text);
      } else if (q.type === 'order') {
        out.items = q.items.map((a) => a.text);
      }
      return out;
    }),
  };
}

function isDirty() {
  return quiz !== null && JSON.stringify(payload()) !== saved;
}

function markSaved() {
  saved = JSON.stringify(payload());
  updateStatus();
}

function updateStatus(message) {
  if (message) {
    saveStatus.textContent = message;
    saveStatus.className = 'save-status';
    return;
  }
  const dirty = isDirty();
  saveStatus.textContent = dirty ? 'Unsaved changes' : quizId ? 'All changes saved' : 'Not saved yet';
  saveStatus.className = dirty ? 'save-status is-dirty' : 'save-status';
}

function changed() {
  updateStatus();
}

/** Changing the type keeps what fits: single choice keeps one right answer at most. */
function changeType(question, type) {
  if (type === 'single') {
    let seen = false;
    for (const answer of question.answers) {
      answer.correct = answer.correct && !seen;
      seen ||= answer.correct;
    }
  }
  question.type = type;
}

// ---- Drawing the editor ----------------------------------------------------------------------

function options(select, values, selected) {
  for (const { value, label } of values) {
    const option = el('option', { text: label, attrs: { value } });
    option.selected = String(value) === String(selected);
    select.append(option);
  }
  return select;
}

/** A one-line text box: Enter does nothing and pasted line breaks become spaces (quiz text is one line). */
function oneLine(textarea) {
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
    }
  });
  textarea.addEventListener('input', () => {
    if (/[\r\n]/.test(textarea.value)) {
      const at = textarea.selectionStart;
      textarea.value = textarea.value.replace(/\r\n|[\r\n]/g, ' ');
      textarea.setSelectionRange(at, at);
    }
  });
  return textarea;
}

/** Binds an input to a property: typing updates the model and clears that field's error. */
function bind(input, target, prop, convert = (v) => v) {
  input.addEventListener('input', () => {
    target[prop] = convert(input.value);
    clearFieldError(input);
    changed();
  });
  input.addEventListener('change', () => {
    target[prop] = convert(input.value);
    changed();
  });
  return input;
}

function iconButton(text, label, onClick, { disabled = false, className = '' } = {}) {
  const button = el('button', {
    className: `icon-button ${className}`.trim(),
    text,
    attrs: { type: 'button', 'aria-label': label, title: label },
  });
  button.disabled = disabled;
  button.addEventListener('click', onClick);
  return button;
}

function renderQuestions(focus) {
  list.replaceChildren(...quiz.questions.map(questionCard));
  const count = quiz.questions.length;
  document.getElementById('question-count').textContent = count ? String(count) : '';
  document.getElementById('questions-empty').hidden = count > 0;
  for (const button of document.querySelectorAll('#add-buttons button')) {
    button.disabled = count >= MAX_QUESTIONS;
  }
  if (focus) {
    const target = document.getElementById(focus.id) || (focus.fallback && document.getElementById(focus.fallback));
    if (target && !target.disabled) {
      target.focus();
    } else if (target) {
      target.closest('.question')?.querySelector('select')?.focus();
    }
  }
}

function questionCard(question, index) {
  const id = `q${question.key}`;
  const path = `questions[${index}]`;
  const number = index + 1;
  const last = quiz.questions.length - 1;

  const type = options(el('select', {
    className: 'q-type-select',
    attrs: { id: `${id}-type`, 'data-path': `${path}.type` },
  }), QUESTION_TYPES, question.type);
  type.addEventListener('change', () => {
    changeType(question, type.value);
    renderQuestions({ id: `${id}-type` });
    changed();
  });

  const head = el('div', { className: 'q-head' }, [
    el('span', { className: 'q-number', text: String(number), attrs: { 'aria-hidden': 'true' } }),
    el('div', { className: 'field q-type', attrs: { 'data-field': `${path}.type` } }, [
      el('label', { className: 'visually-hidden', text: `Question ${number} type`, attrs: { for: `${id}-type` } }),
      type,
    ]),
    el('div', { className: 'q-tools' }, [
      iconButton('↑', `Move question ${number} up`, () => moveQuestion(index, -1), { disabled: index === 0 }),
      iconButton('↓', `Move question ${number} down`, () => moveQuestion(index, 1), { disabled: index === last }),
      iconButton('✕', `Delete question ${number}`, () => deleteQuestion(index), { className: 'icon-danger' }),
    ]),
  ]);
  for (const [n, button] of head.querySelectorAll('.q-tools button').entries()) {
    button.id = `${id}-${['up', 'down', 'delete'][n]}`;
  }

  // oneLine first: its listener tidies the text before bind's listener stores it.
  const text = bind(oneLine(el('textarea', {
    attrs: {
      id: `${id}-text`, rows: 2, maxlength: MAX_QUESTION_TEXT, 'data-path': `${path}.text`,
      placeholder: question.type === 'truefalse' ? 'Write a statement that is true or false' : 'Write your question',
    },
  })), question, 'text');
  text.value = question.text;
  const counter = el('span', { className: 'char-count', attrs: { 'aria-hidden': 'true' } });
  const count = () => {
    counter.textContent = `${Array.from(text.value).length}/${MAX_QUESTION_TEXT}`;
  };
  text.addEventListener('input', count);
  count();

  const time = options(el('select', { attrs: { id: `${id}-time`, 'data-path': `${path}.timeLimit` } }),
    TIME_LIMITS.map((s) => ({ value: s, label: timeLabel(s) })), question.timeLimit);
  bind(time, question, 'timeLimit', Number);
  const points = options(el('select', { attrs: { id: `${id}-points`, 'data-path': `${path}.points` } }), POINTS, question.points);
  bind(points, question, 'points', Number);

  return el('li', {
    className: `question type-${question.type}`,
    attrs: { id, 'data-question': index, 'data-type': question.type, 'aria-labelledby': `${id}-label` },
  }, [
    el('h3', { className: 'visually-hidden', text: `Question ${number}`, attrs: { id: `${id}-label` } }),
    head,
    el('div', { className: 'field q-text', attrs: { 'data-field': `${path}.text` } }, [
      el('div', { className: 'label-row' }, [
        el('label', { text: 'Question', attrs: { for: `${id}-text` } }),
        counter,
      ]),
      text,
    ]),
    el('div', { className: 'q-settings' }, [
      el('div', { className: 'field', attrs: { 'data-field': `${path}.timeLimit` } }, [
        el('label', { text: 'Time limit', attrs: { for: `${id}-time` } }),
        time,
      ]),
      el('div', { className: 'field', attrs: { 'data-field': `${path}.points` } }, [
        el('label', { text: 'Points', attrs: { for: `${id}-points` } }),
        points,
      ]),
    ]),
    imageBlock(question, id, path),
    typeBlock(question, index, id, path),
  ]);
}

const IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif';
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/**
 * The question's picture: Add picture uploads a file (POST /api/images, which checks it is a picture, strips its
 * metadata and makes it at most 1920 px) and shows it; Replace and Remove change it. Saved with the quiz.
 */
function imageBlock(question, id, path) {
  const field = el('div', { className: 'field q-image', attrs: { 'data-field': `${path}.imageId` } });
  const input = el('input', {
    className: 'visually-hidden',
    attrs: { type: 'file', id: `${id}-image`, accept: IMAGE_TYPES, 'data-path': `${path}.imageId` },
  });
  const status = el('span', { className: 'q-image-status', attrs: { role: 'status' } });
  const draw = () => {
    const has = Boolean(question.imageId);
    const preview = has
      ? el('img', { className: 'q-image-preview', attrs: { src: `/api/images/${question.imageId}`, alt: 'The question\'s picture' } })
      : null;
    const pick = el('label', {
      className: 'button button-small q-image-pick',
      text: has ? 'Replace picture' : 'Add picture',
      attrs: { for: `${id}-image` },
    });
    const remove = has
      ? el('button', { className: 'button button-quiet button-small q-image-remove', text: 'Remove picture', attrs: { type: 'button', id: `${id}-image-remove` } })
      : null;
    remove?.addEventListener('click', () => {
      question.imageId = null;
      status.textContent = 'Picture removed.';
      draw();
      changed();
    });
    field.replaceChildren(...[
      preview,
      el('div', { className: 'q-image-tools' }, [pick, remove, status].filter(Boolean)),
      input,
    ].filter(Boolean));
  };
  input.addEventListener('change', async () => {
    const file = input.files[0];
    input.value = '';
    if (!file) {
      return;
    }
    clearFieldError(input);
    if (file.size > MAX_IMAGE_BYTES) {
      status.textContent = 'That picture is larger than 5 MB: choose a smaller one.';
      return;
    }
    status.textContent = 'Uploading…';
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const image = await api('/api/images', { method: 'POST', body: form });
      question.imageId = image.id;
      draw();
      status.textContent = `Picture added (${image.width} × ${image.height}).`;
      changed();
    } catch (error) {
      status.textContent = messageFor(error);
    }
  });
  draw();
  return field;
}

function typeBlock(question, index, id, path) {
  switch (question.type) {
    case 'single':
    case 'multi':
    case 'poll':
      return choicesBlock(question, index, id, path);
    case 'truefalse':
      return trueFalseBlock(question, id, path);
    case 'typeanswer':
      return textListBlock(question, id, path, {
        prop: 'accepted',
        legend: 'Accepted answers',
        hint: 'Any of these counts as right; case, extra spaces and accents do not matter.',
        itemLabel: 'Accepted answer',
        addLabel: 'Add accepted answer',
        min: 1,
        max: MAX_ACCEPTED,
      });
    case 'order':
      return textListBlock(question, id, path, {
        prop: 'items',
        legend: 'Items, in the right order',
        hint: 'Players see them shuffled and put them back in this order.',
        itemLabel: 'Item',
        addLabel: 'Add item',
        min: MIN_CHOICES,
        max: MAX_CHOICES,
        ordered: true,
      });
    default:
      return null;
  }
}

function choicesBlock(question, index, id, path) {
  const kind = question.type;
  const hint = {
    single: 'Mark the one right answer.',
    multi: 'Tick every right answer: one or more.',
    poll: 'A poll has no right answer: players just choose.',
  }[kind];
  const rows = question.answers.map((answer, j) => {
    const input = bind(el('input', {
      attrs: {
        id: `${id}-a${answer.key}`, type: 'text', maxlength: 75, autocomplete: 'off',
        placeholder: `Answer ${j + 1}`, 'data-path': `${path}.answers[${j}].text`,
      },
    }), answer, 'text');
    input.value = answer.text;
    let correct = null;
    if (kind !== 'poll') {
      const box = el('input', {
        attrs: {
          type: kind === 'single' ? 'radio' : 'checkbox',
          name: `${id}-correct`,
          id: `${id}-a${answer.key}-correct`,
          'aria-label': `Answer ${j + 1} is correct`,
        },
      });
      box.checked = answer.correct;
      box.addEventListener('change', () => {
        if (kind === 'single') {
          for (const other of question.answers) {
            other.correct = other === answer;
          }
        } else {
          answer.correct = box.checked;
        }
        clearFieldError(box);
        for (const row of box.closest('.answer-list').querySelectorAll('.answer')) {
          row.classList.toggle('is-correct', row.querySelector('input[type=radio],input[type=checkbox]')?.checked === true);
        }
        changed();
      });
      correct = el('label', { className: 'correct-toggle', attrs: { for: box.id } }, [
        box,
        el('span', { className: 'correct-text', text: 'Correct', attrs: { 'aria-hidden': 'true' } }),
      ]);
    }
    const remove = iconButton('✕', `Remove answer ${j + 1}`, () => {
      question.answers.splice(j, 1);
      const next = question.answers[Math.min(j, question.answers.length - 1)];
      renderQuestions({ id: `${id}-a${next.key}` });
      changed();
    }, { disabled: question.answers.length <= MIN_CHOICES });
    return el('li', {
      className: `answer answer-${j}${kind !== 'poll' && answer.correct ? ' is-correct' : ''}`,
    }, [
      el('span', { className: 'answer-shape', text: SHAPES[j] || '•', attrs: { 'aria-hidden': 'true' } }),
      el('div', { className: 'field answer-field', attrs: { 'data-field': `${path}.answers[${j}].text` } }, [
        el('label', { className: 'visually-hidden', text: `Answer ${j + 1}`, attrs: { for: input.id } }),
        input,
      ]),
      correct,
      remove,
    ]);
  });
  const add = el('button', {
    className: 'button button-quiet button-small add-item',
    text: '+ Add answer',
    attrs: { type: 'button', id: `${id}-add` },
  });
  add.disabled = question.answers.length >= MAX_CHOICES;
  add.addEventListener('click', () => {
    const answer = blankAnswer();
    question.answers.push(answer);
    renderQuestions({ id: `${id}-a${answer.key}` });
    changed();
  });
  return el('fieldset', { className: `answers answers-${kind}`, attrs: { 'data-field': `${path}.answers` } }, [
    el('legend', { text: 'Answers' }),
    el('p', { className: 'hint block-hint', text: `${hint} 2 to 6 answers.` }),
    el('div', { className: 'error-slot' }),
    el('ol', { className: 'answer-list' }, rows),
    add,
  ]);
}

function trueFalseBlock(question, id, path) {
  const choice = (value, text) => {
    const radio = el('input', { attrs: { type: 'radio', name: `${id}-tf`, value: String(value), id: `${id}-tf-${value}` } });
    radio.checked = question.correct === value;
    radio.addEventListener('change', () => {
      question.correct = value;
      clearFieldError(radio);
      changed();
    });
    return el('label', { className: `choice tf-choice tf-${value}` }, [radio, el('span', { text })]);
  };
  return el('fieldset', { className: 'truefalse', attrs: { 'data-field': `${path}.correct` } }, [
    el('legend', { text: 'The statement is' }),
    el('div', { className: 'error-slot' }),
    el('div', { className: 'choice-row tf-row' }, [choice(true, 'True'), choice(false, 'False')]),
  ]);
}

function textListBlock(question, id, path, config) {
  const items = question[config.prop];
  const last = items.length - 1;
  const rows = items.map((item, j) => {
    const input = bind(el('input', {
      attrs: {
        id: `${id}-${config.prop}${item.key}`, type: 'text', maxlength: 75, autocomplete: 'off',
        placeholder: `${config.itemLabel} ${j + 1}`, 'data-path': `${path}.${config.prop}[${j}]`,
      },
    }), item, 'text');
    input.value = item.text;
    const tools = [];
    if (config.ordered) {
      const move = (delta) => {
        const [moved] = items.splice(j, 1);
        items.splice(j + delta, 0, moved);
        const direction = delta < 0 ? 'up' : 'down';
        const atEdge = (delta < 0 && j + delta === 0) || (delta > 0 && j + delta === items.length - 1);
        const other = direction === 'up' ? 'down' : 'up';
        renderQuestions({ id: `${id}-${config.prop}${moved.key}-${atEdge ? other : direction}` });
        moveStatus.textContent = `${config.itemLabel} moved to position ${j + delta + 1}.`;
        changed();
      };
      tools.push(
        iconButton('↑', `Move ${config.itemLabel.toLowerCase()} ${j + 1} up`, () => move(-1), { disabled: j === 0 }),
        iconButton('↓', `Move ${config.itemLabel.toLowerCase()} ${j + 1} down`, () => move(1), { disabled: j === last }),
      );
      tools[0].id = `${id}-${config.prop}${item.key}-up`;
      tools[1].id = `${id}-${config.prop}${item.key}-down`;
    }
    tools.push(iconButton('✕', `Remove ${config.itemLabel.toLowerCase()} ${j + 1}`, () => {
      items.splice(j, 1);
      const next = items[Math.min(j, items.length - 1)];
      renderQuestions({ id: `${id}-${config.prop}${next.key}` });
      changed();
    }, { disabled: items.length <= config.min }));
    return el('li', { className: 'text-item' }, [
      config.ordered ? el('span', { className: 'order-position', text: String(j + 1), attrs: { 'aria-hidden': 'true' } }) : null,
      el('div', { className: 'field answer-field', attrs: { 'data-field': `${path}.${config.prop}[${j}]` } }, [
        el('label', { className: 'visually-hidden', text: `${config.itemLabel} ${j + 1}`, attrs: { for: input.id } }),
        input,
      ]),
      el('div', { className: 'item-tools' }, tools),
    ]);
  });
  const add = el('button', {
    className: 'button button-quiet button-small add-item',
    text: `+ ${config.addLabel}`,
    attrs: { type: 'button', id: `${id}-add` },
  });
  add.disabled = items.length >= config.max;
  add.addEventListener('click', () => {
    const item = { key: key(), text: '' };
    items.push(item);
    renderQuestions({ id: `${id}-${config.prop}${item.key}` });
    changed();
  });
  return el('fieldset', { className: `text-list-block ${config.prop}`, attrs: { 'data-field': `${path}.${config.prop}` } }, [
    el('legend', { text: config.legend }),
    el('p', { className: 'hint block-hint', text: `${config.hint} ${config.min} to ${config.max}.` }),
    el('div', { className: 'error-slot' }),
    el(config.ordered ? 'ol' : 'ul', { className: `text-list${config.ordered ? ' order-list' : ''}` }, rows),
    add,
  ]);
}

function moveQuestion(index, delta) {
  const target = index + delta;
  if (target < 0 || target >= quiz.questions.length) {
    return;
  }
  const [moved] = quiz.questions.splice(index, 1);
  quiz.questions.splice(target, 0, moved);
  clearErrors();
  const direction = delta < 0 ? 'up' : 'down';
  const atEdge = target === 0 || target === quiz.questions.length - 1;
  const focusId = `q${moved.key}-${atEdge ? (direction === 'up' ? 'down' : 'up') : direction}`;
  renderQuestions({ id: focusId });
  moveStatus.textContent = `Question moved to position ${target + 1} of ${quiz.questions.length}.`;
  changed();
}

async function deleteQuestion(index) {
  const question = quiz.questions[index];
  const hasContent = question.text.trim() !== '';
  if (hasContent) {
    const sure = await confirmDialog({
      title: `Delete question ${index + 1}?`,
      message: `“${question.text.trim()}” and its answers leave the quiz when you save.`,
      confirmLabel: 'Delete question',
      danger: true,
    });
    if (!sure) {
      document.getElementById(`q${question.key}-delete`)?.focus();
      return;
    }
  }
  quiz.questions.splice(index, 1);
  clearErrors();
  const next = quiz.questions[Math.min(index, quiz.questions.length - 1)];
  renderQuestions(next ? { id: `q${next.key}-type` } : null);
  if (!next) {
    document.querySelector('#add-buttons button')?.focus();
  }
  moveStatus.textContent = `Question ${index + 1} deleted.`;
  changed();
}

function addQuestion(type) {
  if (quiz.questions.length >= MAX_QUESTIONS) {
    return;
  }
  const question = blankQuestion(type);
  quiz.questions.push(question);
  renderQuestions({ id: `q${question.key}-text` });
  document.getElementById(`q${question.key}`)?.scrollIntoView({ block: 'center' });
  changed();
}

function renderAddButtons() {
  const buttons = QUESTION_TYPES.map((type) => {
    const button = el('button', {
      className: `add-type add-${type.value}`,
      attrs: { type: 'button', 'data-type': type.value, 'aria-label': `Add ${type.label.toLowerCase()} question` },
    }, [
      el('span', { className: 'add-icon', text: TYPE_ICONS[type.value], attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'add-label', text: type.label }),
    ]);
    button.addEventListener('click', () => addQuestion(type.value));
    return button;
  });
  document.getElementById('add-buttons').replaceChildren(...buttons);
}

function renderDetails() {
  form.elements.title.value = quiz.title;
  form.elements.description.value = quiz.description;
  form.elements.tags.value = quiz.tags;
  for (const radio of form.querySelectorAll('input[name=visibility]')) {
    radio.checked = radio.value === quiz.visibility;
  }
}

function renderHeading() {
  const title = detail ? detail.title : 'New quiz';
  document.getElementById('editor-title').textContent = title;
  document.getElementById('crumb-name').textContent = title;
  document.title = `${title} · Quizzes · Homeroom`;
  const meta = document.getElementById('editor-meta');
  if (detail) {
    const parts = [plural(detail.questions.length, 'question'), detail.visibility === 'public' ? 'Public' : 'Only you', `Updated ${formatDate(detail.updatedAt)}`];
    meta.textContent = parts.join(' · ');
  } else {
    meta.textContent = 'Give it a title, add questions, then save.';
  }
  const tools = document.getElementById('editor-tools');
  if (detail) {
    tools.replaceChildren(...[
      // The game plays the saved quiz: say so when the editor holds changes that are not saved.
      detail.questions.length
        ? hostButton(detail, { small: false, warning: () => (isDirty() ? 'This quiz has unsaved changes: the game plays the last saved version. Save first to play your changes.' : null) })
        : null,
      detail.questions.length
        ? assignButton(detail, { small: false, warning: () => (isDirty() ? 'This quiz has unsaved changes: the assignment uses the last saved version. Save first to assign your changes.' : null) })
        : null,
      starButton(detail, { labelled: true, onError: (error) => showBanner(document.getElementById('error-banner'), messageFor(error)) }),
      exportMenu(detail, { small: false }),
    ].filter(Boolean));
  }
  tools.hidden = !detail;
}

// ---- Errors in place ---------------------------------------------------------------------------

/** How a field path reads to people: "Question 3 · Answer 2". */
function describe(path) {
  const match = /^questions\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?)?$/.exec(path);
  if (!match) {
    const tag = /^tags\[(\d+)\]$/.exec(path);
    if (tag) {
      const value = splitTags(quiz.tags)[Number(tag[1])];
      return value ? `Tag “${value}”` : `Tag ${Number(tag[1]) + 1}`;
    }
    return { title: 'Title', description: 'Description', tags: 'Tags', visibility: 'Visibility', questions: 'Questions' }[path] || path;
  }
  const [, q, field, item] = match;
  const prefix = `Question ${Number(q) + 1}`;
  const n = item !== undefined ? Number(item) + 1 : null;
  const names = {
    text: 'Question text',
    type: 'Type',
    timeLimit: 'Time limit',
    points: 'Points',
    correct: 'True or false',
    answers: n ? `Answer ${n}` : 'Answers',
    accepted: n ? `Accepted answer ${n}` : 'Accepted answers',
    items: n ? `Item ${n}` : 'Items',
  };
  return field ? `${prefix} · ${names[field] || field}` : prefix;
}

/** The API's message, with the field name at its start put in words ("questions[0].text is required."). */
function friendly(path, message) {
  const text = String(message);
  if (/\.correct$/.test(path)) {
    return 'Choose whether the statement is true or false.';
  }
  const subjects = [
    [/^title$/, 'The title'],
    [/^description$/, 'The description'],
    [/^visibility$/, 'Visibility'],
    [/^tags\[\d+\]$/, 'A tag'],
    [/\.answers\[\d+\]\.text$/, 'The answer'],
    [/\.accepted\[\d+\]$/, 'The accepted answer'],
    [/\.items\[\d+\]$/, 'The item'],
    [/^questions\[\d+\]\.text$/, 'The question'],
    [/\.timeLimit$/, 'The time limit'],
    [/\.points$/, 'Points'],
    [/\.type$/, 'The type'],
  ];
  const subject = subjects.find(([pattern]) => pattern.test(path))?.[1];
  const name = path.slice(path.lastIndexOf('.') + 1);
  for (const start of [path, name]) {
    if (subject && text.startsWith(start + ' ')) {
      return subject + text.slice(start.length);
    }
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The element that shows the errors of a path: its own, or the nearest one up the path. */
function targetFor(path) {
  let current = path;
  while (current) {
    const found = form.querySelector(`[data-field="${CSS.escape(current)}"]`);
    if (found) {
      return found;
    }
    const question = /^questions\[(\d+)\]$/.exec(current);
    if (question) {
      return list.querySelector(`[data-question="${question[1]}"]`);
    }
    const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
    current = cut > 0 ? current.slice(0, cut) : '';
  }
  return null;
}

function clearFieldError(input) {
  const holder = input.closest('[data-field]');
  if (!holder) {
    return;
  }
  for (const message of holder.querySelectorAll(':scope > .field-error, :scope > .error-slot > .field-error')) {
    message.remove();
  }
  for (const invalid of holder.querySelectorAll('[aria-invalid]')) {
    invalid.removeAttribute('aria-invalid');
  }
  holder.classList.remove('has-error');
}

function clearErrors() {
  for (const message of form.querySelectorAll('.field-error')) {
    message.remove();
  }
  for (const invalid of form.querySelectorAll('[aria-invalid]')) {
    invalid.removeAttribute('aria-invalid');
  }
  for (const holder of form.querySelectorAll('.has-error')) {
    holder.classList.remove('has-error');
  }
  for (const described of form.querySelectorAll('[data-error-described]')) {
    described.removeAttribute('aria-describedby');
    described.removeAttribute('data-error-described');
  }
  summary.hidden = true;
  summary.replaceChildren();
}

let errorCounter = 0;

function showErrors(errors) {
  clearErrors();
  const entries = [];
  for (const [path, value] of Object.entries(errors)) {
    const messages = (Array.isArray(value) ? value : [value]).map((m) => friendly(path, m));
    const target = targetFor(path);
    const order = orderOf(path);
    entries.push({ path, messages, target, order });
    if (!target) {
      continue;
    }
    const id = `error-${++errorCounter}`;
    const message = el('p', { className: 'field-error', text: messages.join(' '), attrs: { id, 'data-error-for': path } });
    const slot = target.querySelector(':scope > .error-slot');
    (slot || target).append(message);
    target.classList.add('has-error');
    const inputs = target.matches('fieldset') || target.matches('.question')
      ? []
      : [...target.querySelectorAll('input, select, textarea')];
    for (const input of inputs) {
      input.setAttribute('aria-invalid', 'true');
    }
    const described = inputs[0] || (target.matches('fieldset') ? target : null);
    if (described) {
      described.setAttribute('aria-describedby', [id, described.getAttribute('aria-describedby')].filter(Boolean).join(' '));
      described.setAttribute('data-error-described', '');
    }
  }
  entries.sort((a, b) => a.order - b.order);

  const count = entries.reduce((sum, e) => sum + e.messages.length, 0);
  const items = entries.map((entry) => {
    const label = describe(entry.path);
    const go = el('button', { className: 'link-button summary-link', text: label, attrs: { type: 'button' } });
    // Looked up again on click: the questions may have been redrawn since.
    go.addEventListener('click', () => focusTarget(targetFor(entry.path)));
    return el('li', {}, [entry.target ? go : el('strong', { text: label }), el('span', { text: ': ' + entry.messages.join(' ') })]);
  });
  summary.replaceChildren(
    el('p', { className: 'summary-title', text: `The quiz was not saved: ${count === 1 ? 'one thing needs' : `${count} things need`} fixing.` }),
    el('ul', { className: 'summary-list' }, items),
  );
  summary.hidden = false;
  summary.focus();
  summary.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

/** Sorts errors the way the page reads: details first, then questions in order. */
function orderOf(path) {
  const question = /^questions\[(\d+)\]/.exec(path);
  if (question) {
    return 1000 + Number(question[1]);
  }
  return ['title', 'description', 'tags', 'visibility', 'questions'].findIndex((p) => path.startsWith(p));
}

function focusTarget(target) {
  if (!target) {
    return;
  }
  const input = target.matches('input, select, textarea') ? target : target.querySelector('input:not([type=hidden]), select, textarea');
  target.scrollIntoView({ block: 'center' });
  (input || target).focus({ preventScroll: true });
}

// ---- Saving ------------------------------------------------------------------------------------

function loaded(source, tag) {
  detail = source;
  etag = tag || `"${source.version}"`;
  const fresh = fromDetail(source);
  // The API trims text and drops duplicate tags: draw its version only when it differs from ours.
  const current = quiz ? JSON.stringify(payload()) : null;
  const previous = quiz;
  quiz = fresh;
  if (current === null || JSON.stringify(payload()) !== current) {
    renderDetails();
    renderQuestions();
  } else {
    quiz = previous;
  }
  renderHeading();
  markSaved();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (saving) {
    return;
  }
  saving = true;
  conflict.hidden = true;
  setBusy(saveButton, true, 'Saving…');
  updateStatus('Saving…');
  try {
    const body = payload();
    const response = quizId
      ? await apiResponse(`/api/quizzes/${quizId}`, { method: 'PUT', body, headers: { 'If-Match': etag } })
      : await apiResponse('/api/quizzes', { method: 'POST', body });
    clearErrors();
    const created = !quizId;
    quizId = response.body.id;
    loaded(response.body, response.headers.get('ETag'));
    if (created) {
      window.history.replaceState(null, '', `/quizzes/${quizId}`);
    }
    updateStatus(created ? 'Saved. Your quiz is in your library.' : 'Saved.');
  } catch (error) {
    updateStatus();
    if (error instanceof ApiError && error.status === 400 && Object.keys(error.errors).length) {
      showErrors(error.errors);
    } else if (error instanceof ApiError && error.status === 412) {
      clearErrors();
      conflict.hidden = false;
      conflict.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      document.getElementById('conflict-reload').focus({ preventScroll: true });
    } else {
      clearErrors();
      summary.replaceChildren(el('p', { className: 'summary-title', text: `The quiz was not saved. ${messageFor(error)}` }));
      summary.hidden = false;
      summary.focus();
    }
  } finally {
    saving = false;
    setBusy(saveButton, false);
  }
});

document.getElementById('conflict-reload').addEventListener('click', () => {
  saved = JSON.stringify(payload());
  window.location.reload();
});

// Ctrl+S (Cmd+S) saves, as in every editor.
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's' && !form.hidden) {
    event.preventDefault();
    form.requestSubmit(saveButton);
  }
});

window.addEventListener('beforeunload', (event) => {
  if (isDirty()) {
    event.preventDefault();
    event.returnValue = '';
  }
});

// The detail inputs are bound once; they write into whichever quiz object is current.
const details = {
  get title() { return quiz.title; },
  set title(v) { quiz.title = v; },
  get description() { return quiz.description; },
  set description(v) { quiz.description = v; },
  get tags() { return quiz.tags; },
  set tags(v) { quiz.tags = v; },
};

function wireDetailInputs() {
  bind(form.elements.title, details, 'title');
  bind(oneLine(form.elements.description), details, 'description');
  bind(form.elements.tags, details, 'tags');
  for (const radio of form.querySelectorAll('input[name=visibility]')) {
    radio.addEventListener('change', () => {
      if (radio.checked) {
        quiz.visibility = radio.value;
        clearFieldError(radio);
        changed();
      }
    });
  }
}

// ---- The read-only view ------------------------------------------------------------------------

function renderView(source) {
  detail = source;
  document.title = `${source.title} · Quizzes · Homeroom`;
  document.getElementById('crumb-name').textContent = source.title;
  document.getElementById('view-title').textContent = source.title;
  document.getElementById('view-cover').className = `view-cover ${coverClass(source.id)}`;
  document.getElementById('view-cover').textContent = String(source.questions.length);
  document.getElementById('view-owner').textContent =
    `By ${ownerName(source.owner)} · ${plural(source.questions.length, 'question')} · Updated ${formatDate(source.updatedAt)}`;
  const description = document.getElementById('view-description');
  description.textContent = source.description || '';
  description.hidden = !source.description;
  const tags = document.getElementById('view-tags');
  tags.replaceChildren(...source.tags.map((tag) => el('li', { className: 'tag', text: tag })));
  tags.hidden = source.tags.length === 0;
  const status = document.getElementById('view-status');
  const tools = document.getElementById('view-tools');
  const copy = document.getElementById('copy-quiz');
  tools.replaceChildren(...[
    source.questions.length ? hostButton(source, { small: false }) : null,
    source.questions.length ? assignButton(source, { small: false }) : null,
    copy,
    starButton(source, {
      labelled: true,
      onChange: (favorite) => {
        status.textContent = favorite ? 'Added to your favourites.' : 'Removed from your favourites.';
      },
      onError: (error) => showBanner(document.getElementById('error-banner'), messageFor(error)),
    }),
    exportMenu(source, { small: false }),
  ].filter(Boolean));
  document.getElementById('view-questions').replaceChildren(...source.questions.map(viewQuestion));
  document.getElementById('quiz-view').hidden = false;
}

function viewQuestion(question, index) {
  const meta = `${typeLabel(question.type)} · ${timeLabel(question.timeLimit)} · ${question.points ? `${question.points} points` : 'no points'}`;
  let body = null;
  if (question.answers) {
    body = el('ul', { className: 'view-answers' }, question.answers.map((answer, j) => el('li', {
      className: `view-answer answer-${j}${answer.correct ? ' is-correct' : ''}`,
    }, [
      el('span', { className: 'answer-shape', text: SHAPES[j] || '•', attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'view-answer-text', text: answer.text }),
      answer.correct ? el('span', { className: 'view-correct', text: '✓ Correct' }) : null,
    ])));
  } else if (question.type === 'truefalse') {
    body = el('p', { className: 'view-line' }, [el('strong', { text: 'Answer: ' }), question.correct ? 'True' : 'False']);
  } else if (question.accepted) {
    body = el('div', { className: 'view-line' }, [
      el('strong', { text: 'Accepted answers: ' }),
      el('ul', { className: 'tag-list inline-tags' }, question.accepted.map((a) => el('li', { className: 'tag', text: a }))),
    ]);
  } else if (question.items) {
    body = el('ol', { className: 'view-order' }, question.items.map((item) => el('li', { text: item })));
  }
  return el('li', { className: 'view-question' }, [
    el('div', { className: 'vq-head' }, [
      el('span', { className: 'q-number', text: String(index + 1), attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'vq-meta', text: meta }),
    ]),
    el('h2', { className: 'vq-text' }, [el('span', { className: 'visually-hidden', text: `Question ${index + 1}: ` }), question.text]),
    question.imageId ? el('img', { className: 'vq-image', attrs: { src: `/api/images/${question.imageId}`, alt: '' } }) : null,
    body,
  ]);
}

document.getElementById('copy-quiz').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  setBusy(button, true, 'Copying…');
  try {
    const copy = await api(`/api/quizzes/${detail.id}/copy`, { method: 'POST' });
    window.location.assign(`/quizzes/${copy.id}`);
  } catch (error) {
    setBusy(button, false);
    showBanner(document.getElementById('error-banner'), messageFor(error));
  }
});

/** My games of this quiz that are still live, each with Resume hosting and End game (a game left running is found again here). */
async function renderLiveGames(id) {
  const box = document.getElementById('live-games');
  try {
    const games = (await api('/api/games')).filter((game) => game.quizId === id);
    box.replaceChildren(...games.map((game) => el('div', { className: 'banner banner-warn live-game', attrs: { 'data-game-id': game.id } }, [
      el('p', { text: `Live now: PIN ${game.pin} · ${plural(game.players, 'player')}` }),
      el('div', { className: 'report-actions' }, liveGameActions(game, {
        onEnded: () => renderLiveGames(id),
        onError: (message) => showBanner(document.getElementById('error-banner'), message),
      })),
    ])));
    box.hidden = games.length === 0;
  } catch (error) {
    showBanner(document.getElementById('error-banner'), messageFor(error));
  }
}

// ---- Start ---------------------------------------------------------------------------------------

try {
  const me = await requireSignIn();
  renderHeader(me);
  renderAddButtons();
  if (quizId) {
    const response = await apiResponse(`/api/quizzes/${quizId}`);
    renderLiveGames(response.body.id);
    if (!response.body.mine) {
      renderView(response.body);
      revealPage();
    } else {
      loaded(response.body, response.headers.get('ETag'));
      wireDetailInputs();
      form.hidden = false;
      revealPage();
    }
  } else {
    quiz = { title: '', description: '', tags: '', visibility: 'private', questions: [blankQuestion('single')] };
    renderDetails();
    renderQuestions();
    renderHeading();
    markSaved();
    wireDetailInputs();
    form.hidden = false;
    revealPage();
    form.elements.title.focus();
  }
} catch (error) {
  showPageError(error);
}
