// Helpers shared by the quiz pages (/quizzes, /quizzes/new, /quizzes/{id}) and the dashboard.
// Quiz titles, tags, question text and names go in with textContent only (through el()).
import { api, el, messageFor } from '/js/api.js';
import { confirmDialog } from '/js/classes-common.js';

/** The question types, in the order the editor offers them, with what teachers call them. */
export const QUESTION_TYPES = [
  { value: 'single', label: 'Single choice' },
  { value: 'multi', label: 'Multiple select' },
  { value: 'truefalse', label: 'True or false' },
  { value: 'typeanswer', label: 'Type answer' },
  { value: 'order', label: 'Put in order' },
  { value: 'poll', label: 'Poll' },
];

export const TIME_LIMITS = [5, 10, 20, 30, 60, 90, 120, 240];

/** Points for a right answer, named as game-show teachers know them: standard 1000, double 2000, none. */
export const POINTS = [
  { value: 1000, label: 'Standard' },
  { value: 2000, label: 'Double points' },
  { value: 0, label: 'No points' },
];

/** Download formats of GET /api/quizzes/{id}/export. */
export const EXPORT_FORMATS = [
  { format: 'gift', label: 'Moodle GIFT', note: '.txt' },
  { format: 'aiken', label: 'Moodle Aiken', note: '.txt' },
  { format: 'xlsx', label: 'Kahoot spreadsheet', note: '.xlsx' },
  { format: 'csv', label: 'Homeroom CSV', note: '.csv' },
  { format: 'json', label: 'Homeroom JSON', note: '.json' },
];

export function typeLabel(type) {
  return QUESTION_TYPES.find((t) => t.value === type)?.label || type;
}

/** "20 seconds", "1 minute", "90 seconds", "4 minutes". */
export function timeLabel(seconds) {
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  }
  return `${seconds} seconds`;
}

/** The quiz id in /quizzes/{id}, or null (also for /quizzes/new). */
export function quizIdFromPath(pathname = window.location.pathname) {
  const match = /^\/quizzes\/(\d+)\/?$/.exec(pathname);
  return match ? Number(match[1]) : null;
}

/** "1 question", "3 questions". */
export function plural(count, one, many = one + 's') {
  return `${count} ${count === 1 ? one : many}`;
}

/** A short date for people, in the browser's language. */
export function formatDate(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

/** A cover colour for a quiz, steady for its id (the library's cards are told apart at a glance). */
export function coverClass(id) {
  return `cover-${Math.abs(Number(id) || 0) % 6}`;
}

/** Who wrote a quiz: "Ada Lovelace (@ada)" or "@ada". */
export function ownerName(owner) {
  const display = (owner?.displayName || '').trim();
  return display && display !== owner.username ? `${display} (@${owner.username})` : `@${owner?.username || ''}`;
}

/**
 * A star that adds the quiz to (or removes it from) my favourites; a toggle button (aria-pressed).
 * `labelled` shows the word "Favourite" beside the star (else it is for screen readers only).
 * `onChange(favorite)` runs after the API agreed; `onError(error)` when it did not.
 */
export function starButton(quiz, { onChange, onError, labelled = false } = {}) {
  const button = el('button', {
    className: labelled ? 'button star star-labelled' : 'star',
    attrs: { type: 'button', 'data-star': quiz.id },
  });
  const glyph = el('span', { className: 'star-glyph', attrs: { 'aria-hidden': 'true' } });
  const text = el('span', { className: labelled ? 'star-text' : 'visually-hidden' });
  button.append(glyph, text);
  let favorite = Boolean(quiz.favorite);
  const show = () => {
    glyph.textContent = favorite ? '★' : '☆';
    text.textContent = labelled ? 'Favourite' : `Favourite: ${quiz.title}`;
    button.setAttribute('aria-pressed', String(favorite));
    button.title = favorite ? 'Remove from favourites' : 'Add to favourites';
  };
  show();
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-busy') === 'true') {
      return;
    }
    const wanted = !favorite;
    button.setAttribute('aria-busy', 'true');
    try {
      await api(`/api/quizzes/${quiz.id}/favorite`, { method: wanted ? 'PUT' : 'DELETE' });
      favorite = wanted;
      quiz.favorite = wanted;
      show();
      onChange?.(wanted);
    } catch (error) {
      onError?.(error);
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/** A disclosure menu (details/summary) of download links, one per export format. */
export function exportMenu(quiz, { small = true } = {}) {
  const summary = el('summary', {
    className: `button button-quiet${small ? ' button-small' : ''}`,
    attrs: { 'aria-label': `Export ${quiz.title}` },
  }, [el('span', { text: 'Export' }), el('span', { className: 'menu-caret', text: '▾', attrs: { 'aria-hidden': 'true' } })]);
  const list = el('ul', { className: 'menu-list' }, EXPORT_FORMATS.map((f) => el('li', {}, [
    el('a', {
      className: 'menu-item',
      attrs: { href: `/api/quizzes/${quiz.id}/export?format=${f.format}`, download: '', 'data-format': f.format },
    }, [el('span', { text: f.label }), el('span', { className: 'menu-note', text: f.note })]),
  ])));
  const menu = el('details', { className: 'menu' }, [summary, list]);
  list.addEventListener('click', async (event) => {
    const link = event.target.closest('a');
    if (!link) {
      return;
    }
    menu.open = false;
    // Before a download, say which questions the format cannot hold (GET …/export/check); the teacher decides.
    event.preventDefault();
    const format = EXPORT_FORMATS.find((f) => f.format === link.dataset.format);
    try {
      const check = await api(`/api/quizzes/${quiz.id}/export/check?format=${format.format}`);
      if (check.leftOut.length && !(await confirmDialog({
        title: `${format.label}: ${check.leftOut.length} of ${check.questions} questions left out`,
        message: `This format cannot hold every question, so the file has ${check.written} of ${check.questions}.`,
        items: check.notes,
        confirmLabel: 'Download anyway',
      }))) {
        return;
      }
    } catch (error) {
      if (!(await confirmDialog({ title: 'Could not check the export', message: messageFor(error), confirmLabel: 'Download anyway' }))) {
        return;
      }
    }
    window.location.assign(link.href);
  });
  return menu;
}

// One listener closes every open menu on a click elsewhere or on Escape.
document.addEventListener('click', (event) => {
  for (const menu of document.querySelectorAll('details.menu[open]')) {
    if (!menu.contains(event.target)) {
      menu.open = false;
    }
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') {
    return;
  }
  for (const menu of document.querySelectorAll('details.menu[open]')) {
    menu.open = false;
    menu.querySelector('summary')?.focus();
  }
});

/** A compact card for the dashboard: cover, title, question count; the whole card is the link. */
export function miniQuizCard(quiz) {
  return el('li', { attrs: { 'data-quiz-id': quiz.id } }, [
    el('a', { className: 'mini-quiz', attrs: { href: `/quizzes/${quiz.id}` } }, [
      el('span', { className: `mini-cover ${coverClass(quiz.id)}`, attrs: { 'aria-hidden': 'true' } }, [
        el('span', { className: 'mini-cover-count', text: String(quiz.questionCount) }),
        el('span', { className: 'mini-cover-label', text: quiz.questionCount === 1 ? 'question' : 'questions' }),
      ]),
      el('span', { className: 'mini-body' }, [
        el('span', { className: 'mini-title', text: quiz.title }),
        el('span', {
          className: 'mini-meta',
          text: quiz.mine
            ? `${plural(quiz.questionCount, 'question')} · ${formatDate(quiz.updatedAt)}`
            : `${plural(quiz.questionCount, 'question')} · ${ownerName(quiz.owner)}`,
        }),
      ]),
    ]),
  ]);
}
