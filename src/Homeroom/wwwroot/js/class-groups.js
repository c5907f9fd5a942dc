// The Groups tab: make groups of today's present students (by size or by count, keeping some students
// apart or together, avoiding recent pairs), show them as cards, and list the saved groupings.
import { ApiError, api, clearErrors, el, messageFor, setBusy, showBanner, showFormError } from '/js/api.js';
import { displayName, formatDateTime, plural } from '/js/classes-common.js';

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const byName = (a, b) => collator.compare(displayName(a), displayName(b));

export function initGroups(ctx) {
  const form = document.getElementById('groups-form');
  const number = document.getElementById('groups-number');
  const picker = document.getElementById('rule-picker');
  const ruleList = document.getElementById('rule-list');
  const ruleMessage = document.getElementById('rule-message');
  const banner = form.querySelector('[role="alert"]');
  const rules = [];
  let loaded = false;

  const nameOf = (id) => {
    const student = ctx.students.find((s) => s.id === id);
    return student ? displayName(student) : 'a removed student';
  };

  // ---- By size or by count

  function syncMode() {
    const by = form.elements.by.value;
    number.name = by;
    document.getElementById('groups-number-label').textContent = by === 'size' ? 'Students per group' : 'Number of groups';
  }
  for (const radio of form.elements.by) {
    radio.addEventListener('change', syncMode);
  }
  syncMode();

  // ---- Keep apart / keep together

  function renderPicker() {
    const ticked = new Set([...picker.querySelectorAll('input:checked')].map((input) => Number(input.value)));
    picker.replaceChildren(...ctx.students.map((student) => {
      const input = el('input', { attrs: { type: 'checkbox', value: student.id } });
      input.checked = ticked.has(student.id);
      const absent = ctx.isAbsent(student.id);
      return el('label', { className: absent ? 'chip chip-absent' : 'chip' }, [
        input,
        el('span', { text: displayName(student) }),
        absent ? el('span', { className: 'chip-note', text: 'absent' }) : null,
      ]);
    }));
    if (!ctx.students.length) {
      picker.append(el('p', { className: 'muted', text: 'Add students on the Roster tab first.' }));
    }
    // Rules that name removed students no longer apply.
    const ids = new Set(ctx.students.map((s) => s.id));
    for (let i = rules.length - 1; i >= 0; i--) {
      rules[i].ids = rules[i].ids.filter((id) => ids.has(id));
      if (rules[i].ids.length < 2) {
        rules.splice(i, 1);
      }
    }
    renderRules();
  }

  function renderRules() {
    ruleList.replaceChildren(...rules.map((rule, index) => {
      const remove = el('button', {
        className: 'link-button',
        text: 'Remove',
        attrs: { type: 'button', 'aria-label': `Remove the rule: keep ${rule.ids.map(nameOf).join(', ')} ${rule.kind}` },
      });
      remove.addEventListener('click', () => {
        rules.splice(index, 1);
        renderRules();
      });
      return el('li', { className: `rule rule-${rule.kind}` }, [
        el('span', { className: 'rule-kind', text: rule.kind === 'apart' ? 'Apart' : 'Together' }),
        el('span', { className: 'rule-names', text: rule.ids.map(nameOf).join(', ') }),
        remove,
      ]);
    }));
  }

  function addRule(kind) {
    const boxes = [...picker.querySelectorAll('input:checked')];
    if (boxes.length < 2) {
      ruleMessage.textContent = 'Tick at least two students for a rule.';
      ruleMessage.hidden = false;
      return;
    }
    ruleMessage.hidden = true;
    rules.push({ kind, ids: boxes.map((box) => Number(box.value)) });
    for (const box of boxes) {
      box.checked = false;
    }
    renderRules();
  }
  document.getElementById('rule-apart').addEventListener('click', () => addRule('apart'));
  document.getElementById('rule-together').addEventListener('click', () => addRule('together'));

  // ---- Group cards

  function groupCards(groups) {
    return groups.map((group) => el('li', { className: 'group-card' }, [
      el('h3', { text: `Group ${group.number}` }),
      el('ul', {}, [...group.students].sort(byName).map((student) => el('li', {}, [
        el('span', { className: 'group-student', text: displayName(student) }),
        student.pronouns ? el('span', { className: 'pronouns', text: student.pronouns }) : null,
      ]))),
    ]));
  }

  function describe(request) {
    const parts = [request.size ? `Groups of ${request.size}` : `${plural(request.count, 'group')}`];
    if (request.avoidRecentPairs) {
      parts.push('avoiding recent pairs');
    }
    const ruleCount = (request.keepApart?.length || 0) + (request.keepTogether?.length || 0);
    if (ruleCount) {
      parts.push(plural(ruleCount, 'rule'));
    }
    return parts.join(' · ');
  }

  function showResult(grouping) {
    const students = grouping.groups.reduce((sum, group) => sum + group.students.length, 0);
    document.getElementById('result-meta').textContent = `${plural(grouping.groups.length, 'group')} · ${plural(students, 'student')}`;
    const note = document.getElementById('result-note');
    if (grouping.request.avoidRecentPairs) {
      note.textContent = grouping.repeatedPairs
        ? `${grouping.repeatedPairs === 1 ? '1 pair' : `${grouping.repeatedPairs} pairs`} from the last 3 groupings could not be avoided.`
        : 'No pair from the last 3 groupings works together again.';
      note.hidden = false;
    } else {
      note.hidden = true;
    }
    document.getElementById('group-cards').replaceChildren(...groupCards(grouping.groups));
    const result = document.getElementById('groups-result');
    result.hidden = false;
    result.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  async function loadSaved() {
    const groupings = await api(`${ctx.base}/groups`);
    loaded = true;
    document.getElementById('saved-empty').hidden = groupings.length !== 0;
    document.getElementById('saved-list').replaceChildren(...groupings.map((grouping) => {
      const students = grouping.groups.reduce((sum, group) => sum + group.students.length, 0);
      return el('li', {}, [
        el('details', { className: 'saved-grouping' }, [
          el('summary', {}, [
            el('span', { className: 'saved-when', text: formatDateTime(grouping.createdAt) }),
            el('span', { className: 'saved-what', text: `${describe(grouping.request)} · ${plural(students, 'student')}` }),
          ]),
          el('ol', { className: 'group-cards group-cards-compact' }, groupCards(grouping.groups)),
        ]),
      ]);
    }));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = Number.parseInt(number.value, 10);
    if (!Number.isFinite(value) || value < 1) {
      showFormError(form, new ApiError(400, { errors: { [number.name]: ['Enter a whole number, 1 or more.'] } }));
      return;
    }
    const body = {
      [form.elements.by.value]: value,
      avoidRecentPairs: form.elements.avoidRecentPairs.checked,
      keepApart: rules.filter((r) => r.kind === 'apart').map((r) => r.ids),
      keepTogether: rules.filter((r) => r.kind === 'together').map((r) => r.ids),
    };
    const submit = document.getElementById('groups-submit');
    setBusy(submit, true, 'Making groups…');
    try {
      const grouping = await api(`${ctx.base}/groups`, { method: 'POST', body });
      showResult(grouping);
      await loadSaved();
    } catch (error) {
      document.getElementById('groups-result').hidden = true;
      if (error instanceof ApiError && (error.status === 422 || error.status === 409)) {
        showBanner(banner, `These groups cannot be made: ${error.problem.detail || messageFor(error)}`);
      } else {
        showFormError(form, error);
      }
    } finally {
      setBusy(submit, false);
    }
  });

  ctx.watch(renderPicker);
  return {
    shown() {
      if (!loaded) {
        loadSaved().catch((error) => showBanner(document.getElementById('error-banner'), messageFor(error)));
      }
    },
  };
}
