// The Roster tab: the list of students (edit, remove), add one, paste or upload many, export.
import {
  ApiError, api, clearErrors, el, messageFor, setBusy, showBanner, showFieldErrors, showFormError,
} from '/js/api.js';
import { confirmDialog, displayName, plural } from '/js/classes-common.js';

const EXCERPT = 40;

function sentence(text) {
  const value = String(text || '');
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function excerpt(line) {
  const chars = Array.from(line.trim());
  return chars.length > EXCERPT ? chars.slice(0, EXCERPT).join('') + '…' : chars.join('');
}

export function initRoster(ctx) {
  const body = document.getElementById('roster-body');
  const status = document.getElementById('roster-status');
  const addForm = document.getElementById('add-form');
  const importForm = document.getElementById('import-form');
  const uploadForm = document.getElementById('upload-form');
  const report = document.getElementById('import-report');
  const dialog = document.getElementById('edit-dialog');
  const editForm = document.getElementById('edit-form');
  let editing = null;

  document.getElementById('export-link').href = `${ctx.base}/students/export`;

  function render() {
    const students = ctx.students;
    document.getElementById('students-count').textContent = String(students.length);
    document.getElementById('roster-table').hidden = students.length === 0;
    document.getElementById('roster-empty').hidden = students.length !== 0;
    document.getElementById('export-link').hidden = students.length === 0;
    body.replaceChildren(...students.map(row));
  }

  function row(student) {
    const shown = displayName(student);
    const nameCell = el('td', { className: 'student-cell' }, [
      el('span', { className: 'student-name', text: shown }),
      shown !== student.name ? el('span', { className: 'student-legal', text: student.name }) : null,
      student.pronouns ? el('span', { className: 'student-pronouns', text: student.pronouns }) : null,
    ]);
    const edit = el('button', {
      className: 'button button-quiet button-small',
      text: 'Edit',
      attrs: { type: 'button', 'aria-label': `Edit ${shown}` },
    });
    const remove = el('button', {
      className: 'button button-quiet button-small button-remove',
      text: 'Remove',
      attrs: { type: 'button', 'aria-label': `Remove ${shown}` },
    });
    edit.addEventListener('click', () => openEditor(student));
    remove.addEventListener('click', () => removeStudent(student, remove));
    return el('tr', { attrs: { 'data-student-id': student.id } }, [
      nameCell,
      el('td', { className: 'pronouns-cell col-pronouns', text: student.pronouns || '' }),
      el('td', { className: 'row-actions' }, [edit, remove]),
    ]);
  }

  async function removeStudent(student, button) {
    const shown = displayName(student);
    const sure = await confirmDialog({
      title: `Remove ${shown}?`,
      message: `${shown} leaves the roster, the picker and the group maker. Their past picks stay in the equity history.`,
      confirmLabel: 'Remove student',
      danger: true,
    });
    if (!sure) {
      button.focus();
      return;
    }
    setBusy(button, true);
    try {
      await api(`${ctx.base}/students/${student.id}`, { method: 'DELETE' });
      await ctx.reloadStudents();
      status.textContent = `Removed ${shown}.`;
    } catch (error) {
      setBusy(button, false);
      showBanner(document.getElementById('error-banner'), messageFor(error));
    }
  }

  function openEditor(student) {
    editing = student;
    clearErrors(editForm);
    for (const field of ['name', 'preferredName', 'pronouns', 'externalId', 'notes']) {
      editForm.elements[field].value = student[field] || '';
    }
    dialog.showModal();
    editForm.elements.name.focus();
  }

  document.getElementById('edit-cancel').addEventListener('click', () => dialog.close());
  editForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(editForm);
    const values = {};
    for (const field of ['name', 'preferredName', 'pronouns', 'externalId', 'notes']) {
      values[field] = editForm.elements[field].value.trim();
    }
    if (!values.name) {
      showFieldErrors(editForm, { name: ['Enter the student’s name.'] });
      return;
    }
    const submit = document.getElementById('edit-submit');
    setBusy(submit, true, 'Saving…');
    try {
      const saved = await api(`${ctx.base}/students/${editing.id}`, { method: 'PATCH', body: values });
      dialog.close();
      await ctx.reloadStudents();
      status.textContent = `Saved ${displayName(saved)}.`;
      body.querySelector(`[data-student-id="${saved.id}"] button`)?.focus();
    } catch (error) {
      showFormError(editForm, error);
    } finally {
      setBusy(submit, false);
    }
  });

  addForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(addForm);
    const values = {
      name: addForm.elements.name.value.trim(),
      preferredName: addForm.elements.preferredName.value.trim() || null,
      pronouns: addForm.elements.pronouns.value.trim() || null,
    };
    if (!values.name) {
      showFieldErrors(addForm, { name: ['Enter the student’s name.'] });
      return;
    }
    const submit = document.getElementById('add-submit');
    setBusy(submit, true, 'Adding…');
    try {
      const added = await api(`${ctx.base}/students`, { method: 'POST', body: values });
      addForm.reset();
      await ctx.reloadStudents();
      status.textContent = `Added ${displayName(added)}.`;
      addForm.elements.name.focus();
    } catch (error) {
      showFormError(addForm, error);
    } finally {
      setBusy(submit, false);
    }
  });

  /** Shows an import's outcome: how many were added, each skipped line and why, ignored columns. */
  function showReport({ imported = 0, problems = [], unknownColumns = [], duplicates = [], detail = '', lines = null }) {
    const children = [];
    children.push(el('p', {
      className: imported ? 'report-title report-ok' : 'report-title report-none',
      text: imported ? `Added ${plural(imported, 'student')}.` : detail || 'No students were added.',
    }));
    if (imported && detail) {
      children.push(el('p', { text: detail }));
    }
    if (problems.length) {
      children.push(el('p', {
        className: 'report-subtitle',
        text: `${problems.length === 1 ? '1 line was' : `${problems.length} lines were`} skipped:`,
      }));
      children.push(el('ul', { className: 'report-problems' }, problems.map((problem) => {
        const source = lines?.[problem.line - 1];
        return el('li', { attrs: { 'data-line': problem.line } }, [
          el('span', { className: 'report-line', text: `Line ${problem.line}` }),
          el('span', { className: 'report-message', text: sentence(problem.message) }),
          source ? el('span', { className: 'report-source', text: `“${excerpt(source)}”` }) : null,
        ]);
      })));
    }
    // Names already on the roster (or twice in the list): added again only when the teacher asked; say so either way.
    const again = duplicates.filter((d) => !problems.some((p) => p.line === d.line));
    if (again.length) {
      children.push(el('p', {
        className: 'report-subtitle',
        text: `${again.length === 1 ? '1 name was a repeat, added anyway' : `${again.length} names were repeats, added anyway`}:`,
      }));
      children.push(el('ul', { className: 'report-problems report-duplicates' }, again.map((d) => el('li', { attrs: { 'data-line': d.line } }, [
        el('span', { className: 'report-line', text: `Line ${d.line}` }),
        el('span', { className: 'report-message', text: sentence(d.message) }),
      ]))));
    } else if (duplicates.length) {
      children.push(el('p', {
        className: 'report-hint',
        text: 'Repeated names were skipped. To add them anyway (two students really share a name), untick “Skip names already on the roster” and add them again.',
      }));
    }
    if (unknownColumns.length) {
      children.push(el('p', {
        className: 'report-columns',
        text: `Ignored ${unknownColumns.length === 1 ? 'column' : 'columns'}: ${unknownColumns.join(', ')}. Homeroom reads name, preferredName, pronouns, notes and externalId.`,
      }));
    }
    report.replaceChildren(...children);
    report.hidden = false;
    report.classList.toggle('import-report-warn', problems.length > 0 || !imported);
  }

  async function runImport(form, submit, body, contentType, lines) {
    clearErrors(form);
    report.hidden = true;
    setBusy(submit, true, 'Adding…');
    const skip = document.getElementById('import-skip-duplicates').checked;
    try {
      const result = await api(`${ctx.base}/students/import${skip ? '' : '?duplicates=add'}`, { method: 'POST', body, contentType });
      showReport({ ...result, lines });
      await ctx.reloadStudents();
      return result;
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        const problems = error.problem.problems || [];
        const duplicates = error.problem.duplicates || [];
        showReport({ problems, duplicates, detail: problems.length ? 'No students were added.' : error.problem.detail, lines });
      } else {
        showFormError(form, error);
      }
      return null;
    } finally {
      setBusy(submit, false);
    }
  }

  importForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const textarea = importForm.elements.text;
    const text = textarea.value;
    if (!text.trim()) {
      clearErrors(importForm);
      showFieldErrors(importForm, { text: ['Paste at least one name, one per line.'] });
      return;
    }
    const lines = text.split('\n');
    const result = await runImport(importForm, document.getElementById('import-submit'), text, 'text/plain; charset=utf-8', lines);
    if (result) {
      // Keep only the skipped lines, so they can be fixed and added without adding the others twice.
      textarea.value = result.problems.map((problem) => lines[problem.line - 1] ?? '').join('\n');
    }
  });

  uploadForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = uploadForm.elements.file;
    const file = input.files?.[0];
    if (!file) {
      clearErrors(uploadForm);
      showFieldErrors(uploadForm, { file: ['Choose a CSV file first.'] });
      return;
    }
    const data = new FormData();
    data.append('file', file, file.name);
    const result = await runImport(uploadForm, document.getElementById('upload-submit'), data, null, null);
    if (result) {
      input.value = '';
    }
  });

  ctx.watch(render);
  return {};
}
