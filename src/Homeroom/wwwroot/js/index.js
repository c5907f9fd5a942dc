// The welcome page: signed-in teachers go straight to their dashboard.
import { getMe, showBanner } from '/js/api.js';

const params = new URLSearchParams(window.location.search);
if (params.get('deleted') === '1') {
  showBanner(document.getElementById('notice'), 'Your account has been deleted. Thank you for using Homeroom.');
}

try {
  if (await getMe()) {
    window.location.replace('/dashboard');
  }
} catch {
  // The API is unreachable; the welcome page and its links still work.
}
