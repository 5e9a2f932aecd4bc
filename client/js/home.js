import { authorizedFetch, errorMessage, session } from './session.js';

const REDIRECT_DELAY_MS = 3000;

const icon = document.getElementById('icon');
const message = document.getElementById('message');
const logout = document.getElementById('logout');

function showLoggedIn(name) {
  icon.className = 'fa fa-check-circle fa-5x mt-3 text-success';
  // textContent, never innerHTML: a name is data, whatever characters it holds.
  message.textContent = `You are currently logged in as: ${name}`;
  logout.classList.remove('d-none');
  document.getElementById('security').classList.remove('d-none');
  // The security section's scripts (two-factor.js) start once someone is logged in.
  document.dispatchEvent(new CustomEvent('home:logged-in', { detail: { name } }));
}

function showLoggedOut() {
  icon.className = 'fa fa-times-circle fa-5x mt-3 text-danger';
  logout.classList.add('d-none');
  message.replaceChildren(
    'You are currently not logged in.',
    document.createElement('br'),
    'Redirecting to login page in a few seconds…',
  );
  setTimeout(() => location.assign('/login'), REDIRECT_DELAY_MS);
}

function showError(text) {
  icon.className = 'fa fa-exclamation-triangle fa-5x mt-3 text-warning';
  message.textContent = `Error: ${text}`;
}

async function init() {
  let response;
  try {
    // Renews an expired access token silently through the refresh cookie, once.
    response = await authorizedFetch('/user');
  } catch {
    showError('the server cannot be reached');
    return;
  }
  if (response.ok) {
    const user = await response.json();
    showLoggedIn(user.name);
  } else if (response.status === 401) {
    session.clear();
    showLoggedOut();
  } else {
    showError(await errorMessage(response));
  }
}

/** Ends this session (or all of them) on the server, then forgets the token here. */
async function logOut(scope) {
  try {
    await authorizedFetch(`/logout?scope=${scope}`, { method: 'POST' });
  } finally {
    session.clear();
    location.assign('/login');
  }
}

document.getElementById('logout-button').addEventListener('click', () => void logOut('local'));
document.getElementById('logout-everywhere-button').addEventListener('click', () => void logOut('global'));

void init();
