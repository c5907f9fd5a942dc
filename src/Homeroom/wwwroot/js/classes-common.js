// Helpers shared by the classes pages (/classes, /classes/{id}, /classes/{id}/picker).
// Student names and every other text from the API go in with textContent only (through el()).
import { el } from '/js/api.js';

/** The class id in /classes/{id} or /classes/{id}/picker, or null. */
export function classIdFromPath(pathname = window.location.pathname) {
  const match = /^\/classes\/(\d+)(?:\/|$)/.exec(pathname);
  return match ? Number(match[1]) : null;
}

/** What the class calls a student: the preferred name when there is one. */
export function displayName(student) {
  const preferred = (student?.preferredName || '').trim();
  return preferred || student?.name || '';
}

/** "1 student", "3 students". */
export function plural(count, one, many = one + 's') {
  return `${count} ${count === 1 ? one : many}`;
}

/** A date and time for people, in the browser's language. */
export function formatDateTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A YYYY-MM-DD day as "Monday 3 March" in the browser's language. */
export function formatDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!match) {
    return day || '';
  }
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' }).format(date);
}

/**
 * Asks a yes/no question in a modal <dialog> (never window.confirm). Resolves true when the teacher
 * confirms, false when they cancel or press Escape.
 */
export function confirmDialog({ title, message, items = [], confirmLabel = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const titleId = 'confirm-title-' + Math.random().toString(36).slice(2);
    const cancel = el('button', { className: 'button', text: 'Cancel', attrs: { type: 'button', value: 'cancel' } });
    const confirm = el('button', {
      className: danger ? 'button button-danger' : 'button button-primary',
      text: confirmLabel,
      attrs: { type: 'button', value: 'confirm' },
    });
    const dialog = el('dialog', { className: 'modal', attrs: { 'aria-labelledby': titleId } }, [
      el('h2', { text: title, attrs: { id: titleId } }),
      message ? el('p', { text: message }) : null,
      items.length ? el('ul', { className: 'modal-list' }, items.map((item) => el('li', { text: item }))) : null,
      el('div', { className: 'actions modal-actions' }, [confirm, cancel]),
    ]);
    let answer = false;
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** Loads a classic script from this site once (used for the vendored Chart.js). */
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const script = el('script', { attrs: { src } });
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => {
        scripts.delete(src);
        reject(new Error(`Could not load ${src}.`));
      });
      document.head.append(script);
    }));
  }
  return scripts.get(src);
}
