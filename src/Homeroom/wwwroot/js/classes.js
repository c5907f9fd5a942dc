// /classes: the teacher's classes. Create, rename, archive or unarchive, delete (after a confirmation).
import {
  api, clearErrors, el, messageFor, renderHeader, requireSignIn, revealPage, setBusy, showBanner,
  showFieldErrors, showFormError, showPageError,
} from '/js/api.js';
import { confirmDialog, plural } from '/js/classes-common.js';

const createForm = document.getElementById('create-form');
const createSubmit = document.getElementById('create-submit');
const activeList = document.getElementById('class-list');
const archivedList = document.getElementById('archived-list');
const listStatus = document.getElementById('list-status');
const errorBanner = document.getElementById('error-banner');

let classes = [];

function say(message) {
  listStatus.textContent = message;
}

async function load() {
  classes = await api('/api/classes?archived=all');
  render();
}

function render() {
  const active = classes.filter((c) => !c.archived);
  const archived = classes.filter((c) => c.archived);
  activeList.replaceChildren(...active.map(classItem));
  archivedList.replaceChildren(...archived.map(classItem));
  activeList.hidden = active.length === 0;
  document.getElementById('classes-empty').hidden = active.length !== 0;
  document.getElementById('active-count').textContent = active.length ? plural(active.length, 'class', 'classes') : '';
  document.getElementById('archived-section').hidden = archived.length === 0;
  document.getElementById('archived-count').textContent = `(${archived.length})`;
}

function classItem(item) {
  const href = `/classes/${item.id}`;
  const name = el('a', { className: 'class-name', text: item.name, attrs: { href } });
  const meta = el('p', {
    className: 'class-meta',
    text: item.archived ? `${plural(item.studentCount, 'student')} · archived` : `${plural(item.studentCount, 'student')} · round ${item.round}`,
  });
  const main = el('div', { className: 'class-main' }, [name, meta]);

  const rename = el('button', { className: 'button button-quiet button-small', text: 'Rename', attrs: { type: 'button' } });
  const archive = el('button', {
    className: 'button button-quiet button-small',
    text: item.archived ? 'Unarchive' : 'Archive',
    attrs: { type: 'button' },
  });
  const remove = el('button', { className: 'button button-danger-outline button-small', text: 'Delete', attrs: { type: 'button' } });
  const actions = el('div', { className: 'class-actions' }, [
    item.archived ? null : el('a', { className: 'button button-small', text: 'Picker', attrs: { href: href + '/picker' } }),
    rename,
    archive,
    remove,
  ]);
  for (const button of [rename, archive, remove]) {
    button.setAttribute('aria-label', `${button.textContent} ${item.name}`);
  }

  const li = el('li', { className: 'class-item', attrs: { 'data-class-id': item.id } }, [main, actions]);

  rename.addEventListener('click', () => startRename(li, item));
  archive.addEventListener('click', async () => {
    setBusy(archive, true);
    try {
      await api(`/api/classes/${item.id}`, { method: 'PATCH', body: { archived: !item.archived } });
      await load();
      say(item.archived ? `${item.name} is back in your classes.` : `${item.name} is archived.`);
    } catch (error) {
      setBusy(archive, false);
      showBanner(errorBanner, messageFor(error));
    }
  });
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `Delete ${item.name}?`,
      message: item.studentCount
        ? `This deletes the class with its ${plural(item.studentCount, 'student')}, their attendance, picks and groups. It cannot be undone. Archive it instead to keep its history.`
        : 'This deletes the class. It cannot be undone.',
      confirmLabel: 'Delete class',
      danger: true,
    });
    if (!sure) {
      remove.focus();
      return;
    }
    setBusy(remove, true);
    try {
      await api(`/api/classes/${item.id}`, { method: 'DELETE' });
      await load();
      say(`${item.name} was deleted.`);
    } catch (error) {
      setBusy(remove, false);
      showBanner(errorBanner, messageFor(error));
    }
  });
  return li;
}

function startRename(li, item) {
  const input = el('input', {
    attrs: { type: 'text', name: 'name', maxlength: 100, required: true, autocomplete: 'off', 'aria-label': `New name for ${item.name}` },
  });
  input.value = item.name;
  const save = el('button', { className: 'button button-primary button-small', text: 'Save', attrs: { type: 'submit' } });
  const cancel = el('button', { className: 'button button-small', text: 'Cancel', attrs: { type: 'button' } });
  const form = el('form', { className: 'rename-form', attrs: { novalidate: true } }, [
    el('div', { className: 'banner banner-error', attrs: { role: 'alert', hidden: true } }),
    el('div', { className: 'field' }, [input]),
    el('div', { className: 'rename-actions' }, [save, cancel]),
  ]);
  const original = [...li.children];
  li.replaceChildren(form);
  input.focus();
  input.select();

  const stop = () => {
    li.replaceChildren(...original);
    li.querySelector('.class-actions button')?.focus();
  };
  cancel.addEventListener('click', stop);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      stop();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const name = input.value.trim();
    if (!name) {
      showFieldErrors(form, { name: ['Enter a name for the class.'] });
      return;
    }
    setBusy(save, true, 'Saving…');
    try {
      await api(`/api/classes/${item.id}`, { method: 'PATCH', body: { name } });
      await load();
      say(`Renamed to ${name}.`);
    } catch (error) {
      setBusy(save, false);
      showFormError(form, error);
    }
  });
}

createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(createForm);
  const name = createForm.elements.name.value.trim();
  if (!name) {
    showFieldErrors(createForm, { name: ['Enter a name for the class.'] });
    return;
  }
  setBusy(createSubmit, true, 'Creating…');
  try {
    const created = await api('/api/classes', { method: 'POST', body: { name } });
    createForm.reset();
    await load();
    say(`Created ${created.name}.`);
    activeList.querySelector(`[data-class-id="${created.id}"] .class-name`)?.focus();
  } catch (error) {
    showFormError(createForm, error);
  } finally {
    setBusy(createSubmit, false);
  }
});

try {
  const me = await requireSignIn();
  renderHeader(me);
  await load();
  revealPage();
} catch (error) {
  showPageError(error);
}
