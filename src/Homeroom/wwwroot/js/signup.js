// Create an account, sign in with the session cookie, then go to the dashboard (or ?next=).
import {
  api, ApiError, clearErrors, logIn, safeNextPath, setBusy, showFormError, wirePasswordToggles,
} from '/js/api.js';

const form = document.getElementById('signup-form');
const submit = document.getElementById('signup-submit');
const params = new URLSearchParams(window.location.search);
const next = safeNextPath(params.get('next'));

wirePasswordToggles(form);

if (next !== '/dashboard') {
  document.getElementById('login-link').href = '/login?next=' + encodeURIComponent(next);
}

function deviceTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

async function createAccount(body) {
  try {
    return await api('/api/auth/signup', { method: 'POST', body });
  } catch (error) {
    // If the server does not know this device's time zone, sign up anyway; it can be set later.
    const keys = error instanceof ApiError && error.status === 400 ? Object.keys(error.errors) : [];
    if (body.timeZone && keys.length === 1 && keys[0] === 'timeZone') {
      return api('/api/auth/signup', { method: 'POST', body: { ...body, timeZone: undefined } });
    }
    throw error;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  const displayName = form.elements.displayName.value.trim();

  setBusy(submit, true, 'Creating your account…');
  try {
    await createAccount({ username, password, displayName: displayName || undefined, timeZone: deviceTimeZone() });
  } catch (error) {
    setBusy(submit, false);
    showFormError(form, error);
    return;
  }

  try {
    await logIn(username, password);
    window.location.assign(next);
  } catch {
    // The account exists; signing in can be done by hand.
    window.location.assign('/login?created=1');
  }
});
