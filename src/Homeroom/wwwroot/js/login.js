// Sign in with the session cookie, then go to ?next= (a path on this site) or the dashboard.
import {
  ApiError, clearErrors, logIn, safeNextPath, setBusy, showBanner, showFieldErrors, showFormError,
  wirePasswordToggles,
} from '/js/api.js';

const form = document.getElementById('login-form');
const submit = document.getElementById('login-submit');
const notice = document.getElementById('notice');
const params = new URLSearchParams(window.location.search);
const next = safeNextPath(params.get('next'));

wirePasswordToggles(form);

if (next !== '/dashboard') {
  document.getElementById('signup-link').href = '/signup?next=' + encodeURIComponent(next);
}
if (params.get('signedOut') === '1') {
  showBanner(notice, 'You have been signed out.');
} else if (params.get('created') === '1') {
  showBanner(notice, 'Your account is ready. Sign in to continue.');
} else if (params.has('next')) {
  showBanner(notice, 'Please sign in to continue.');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  showBanner(notice, '');
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const missing = {};
  if (!username) {
    missing.username = ['Enter your username.'];
  }
  if (!password) {
    missing.password = ['Enter your password.'];
  }
  if (Object.keys(missing).length) {
    showFieldErrors(form, missing);
    return;
  }

  setBusy(submit, true, 'Signing in…');
  try {
    await logIn(username, password);
    window.location.assign(next);
  } catch (error) {
    setBusy(submit, false);
    showFormError(form, error);
    if (error instanceof ApiError && error.status === 401) {
      form.elements.password.value = '';
      form.elements.password.focus();
    }
  }
});
