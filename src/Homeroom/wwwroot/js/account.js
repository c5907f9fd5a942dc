// Account settings: display name and time zone, password, sign out, delete the account.
import {
  api, ApiError, clearErrors, forgetAntiforgeryToken, redirectToLogin, renderHeader, requireSignIn, revealPage,
  setBusy, showFieldErrors, showFormError, showPageError, signOut, wirePasswordToggles,
} from '/js/api.js';

const profileForm = document.getElementById('profile-form');
const passwordForm = document.getElementById('password-form');
const deleteForm = document.getElementById('delete-form');
const deleteStart = document.getElementById('delete-start');
const zoneSelect = document.getElementById('profile-timeZone');
const deviceZoneText = document.getElementById('device-zone-text');
const useDeviceZone = document.getElementById('use-device-zone');
const profileStatus = document.getElementById('profile-status');
const passwordStatus = document.getElementById('password-status');

const deviceZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    return '';
  }
})();

/** Shows the error on the form, or goes to sign-in when the session has ended. */
function fail(form, error) {
  if (error instanceof ApiError && error.status === 401) {
    redirectToLogin();
    return;
  }
  showFormError(form, error);
}

function formatDate(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(date);
  }
}

function fillZones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const all = [...new Set([...zones, 'UTC', current, deviceZone].filter(Boolean))].sort((a, b) => a.localeCompare(b));
  zoneSelect.replaceChildren(...all.map((zone) => {
    const option = document.createElement('option');
    option.value = zone;
    option.textContent = zone.replaceAll('_', ' ');
    return option;
  }));
  zoneSelect.value = current;
}

function describeZone() {
  if (!deviceZone) {
    deviceZoneText.textContent = '';
    useDeviceZone.hidden = true;
  } else if (zoneSelect.value === deviceZone) {
    deviceZoneText.textContent = 'This is the time zone this device uses.';
    useDeviceZone.hidden = true;
  } else {
    deviceZoneText.textContent = `This device uses ${deviceZone.replaceAll('_', ' ')}.`;
    useDeviceZone.hidden = false;
  }
}

function fill(me) {
  document.getElementById('account-username').textContent = '@' + me.username;
  document.getElementById('account-created').textContent = formatDate(me.createdAt, me.timeZone);
  profileForm.elements.displayName.value = me.displayName;
  if (![...zoneSelect.options].some((option) => option.value === me.timeZone)) {
    fillZones(me.timeZone);
  }
  zoneSelect.value = me.timeZone;
  describeZone();
  for (const field of document.querySelectorAll('.account-username-field')) {
    field.value = me.username;
  }
}

// ---- Profile --------------------------------------------------------------------------------

zoneSelect.addEventListener('change', describeZone);
useDeviceZone.addEventListener('click', () => {
  zoneSelect.value = deviceZone;
  describeZone();
  zoneSelect.focus();
});
profileForm.addEventListener('input', () => {
  profileStatus.textContent = '';
});

profileForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(profileForm);
  profileStatus.textContent = '';
  const displayName = profileForm.elements.displayName.value.trim();
  if (!displayName) {
    showFieldErrors(profileForm, { displayName: ['Enter a display name.'] });
    return;
  }
  const button = document.getElementById('profile-submit');
  setBusy(button, true, 'Saving…');
  try {
    const me = await api('/api/me', { method: 'PATCH', body: { displayName, timeZone: zoneSelect.value } });
    fill(me);
    profileStatus.textContent = 'Saved.';
  } catch (error) {
    fail(profileForm, error);
  } finally {
    setBusy(button, false);
  }
});

// ---- Password -------------------------------------------------------------------------------

passwordForm.addEventListener('input', () => {
  passwordStatus.textContent = '';
});

passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(passwordForm);
  passwordStatus.textContent = '';
  const currentPassword = passwordForm.elements.currentPassword.value;
  const newPassword = passwordForm.elements.newPassword.value;
  const confirm = passwordForm.elements.confirmPassword.value;
  const problems = {};
  if (!currentPassword) {
    problems.currentPassword = ['Enter your current password.'];
  }
  if (!newPassword) {
    problems.newPassword = ['Enter a new password.'];
  } else if (confirm !== newPassword) {
    problems.confirmPassword = ['The two new passwords do not match.'];
  }
  if (Object.keys(problems).length) {
    showFieldErrors(passwordForm, problems);
    return;
  }
  const button = document.getElementById('password-submit');
  setBusy(button, true, 'Changing…');
  try {
    await api('/api/me/password', { method: 'POST', body: { currentPassword, newPassword } });
    for (const name of ['currentPassword', 'newPassword', 'confirmPassword']) {
      passwordForm.elements[name].value = '';
    }
    passwordStatus.textContent = 'Password changed. Other devices have been signed out.';
  } catch (error) {
    fail(passwordForm, error);
  } finally {
    setBusy(button, false);
  }
});

// ---- Sign out -------------------------------------------------------------------------------

const accountSignOut = document.getElementById('account-sign-out');
accountSignOut.addEventListener('click', async () => {
  setBusy(accountSignOut, true, 'Signing out…');
  try {
    await signOut();
  } catch (error) {
    setBusy(accountSignOut, false);
    showPageError(error);
  }
});

// ---- Delete ---------------------------------------------------------------------------------

function closeDelete() {
  clearErrors(deleteForm);
  deleteForm.elements.password.value = '';
  deleteForm.hidden = true;
  deleteStart.hidden = false;
  deleteStart.setAttribute('aria-expanded', 'false');
  deleteStart.focus();
}

deleteStart.addEventListener('click', () => {
  deleteForm.hidden = false;
  deleteStart.hidden = true;
  deleteStart.setAttribute('aria-expanded', 'true');
  deleteForm.elements.password.focus();
});
document.getElementById('delete-cancel').addEventListener('click', closeDelete);
deleteForm.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    closeDelete();
  }
});

deleteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(deleteForm);
  const password = deleteForm.elements.password.value;
  if (!password) {
    showFieldErrors(deleteForm, { password: ['Enter your password to confirm.'] });
    return;
  }
  const button = document.getElementById('delete-confirm');
  setBusy(button, true, 'Deleting…');
  try {
    await api('/api/me', { method: 'DELETE', body: { password } });
    forgetAntiforgeryToken();
    window.location.replace('/?deleted=1');
  } catch (error) {
    setBusy(button, false);
    fail(deleteForm, error);
  }
});

// ---- Load -----------------------------------------------------------------------------------

wirePasswordToggles(document);

try {
  const me = await requireSignIn();
  renderHeader(me);
  fillZones(me.timeZone);
  fill(me);
  revealPage();
} catch (error) {
  showPageError(error);
}
