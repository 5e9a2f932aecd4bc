import { longEnough, pagesConfig, PASSWORD_MIN_LENGTH, postJson, showAlert } from './account-pages.js';
import { errorMessage, session, tooManyMessage } from './session.js';

const form = document.getElementById('signup-form');
const button = document.getElementById('signup-button');
const error = document.getElementById('error');
const field = (id) => document.getElementById(id);

let emailRequired = false;

/** After the account exists: log in at once, or say why not (an address to confirm first). */
async function logInOrExplain(name, password, email) {
  const response = await postJson('/login?refreshToken=cookie', { name, password });
  if (response.ok) {
    const answer = await response.json();
    if (typeof answer.token === 'string') {
      session.save(answer.token);
      location.assign('/');
      return;
    }
  }
  form.classList.add('d-none');
  field('created-text').textContent =
    email === ''
      ? 'Your account is ready. Log in to use it.'
      : `Your account is ready. We sent a link to ${email}: open it to confirm your address, then log in.`;
  field('created').classList.remove('d-none');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showAlert(error);
  const name = field('name').value;
  const email = field('email').value.trim();
  const password = field('password').value;
  if (name === '') {
    showAlert(error, 'Choose a user name.');
    return;
  }
  if (email === '' && emailRequired) {
    showAlert(error, 'Enter your email address.');
    return;
  }
  if (!longEnough(password)) {
    showAlert(error, `The password must be at least ${PASSWORD_MIN_LENGTH} characters.`);
    return;
  }
  if (password !== field('confirm-password').value) {
    showAlert(error, 'The two passwords differ. Type the same password twice.');
    return;
  }
  button.disabled = true;
  try {
    const response = await postJson('/users', { name, password, ...(email === '' ? {} : { email }) });
    if (response.status === 201) {
      await logInOrExplain(name, password, email);
    } else if (response.status === 429) {
      showAlert(error, tooManyMessage(response));
    } else {
      // 400 names the field and the rule; 409 says the name is taken (or looks like one that is).
      showAlert(error, await errorMessage(response));
    }
  } catch {
    showAlert(error, 'The server cannot be reached. Try again.');
  } finally {
    button.disabled = false;
  }
});

async function init() {
  const config = await pagesConfig();
  if (!config.signUp) {
    field('signup-off').classList.remove('d-none');
    return;
  }
  emailRequired = config.signUpRequiresEmail === true;
  if (emailRequired) {
    field('email-label').textContent = 'Email address';
    field('email').required = true;
  }
  form.classList.remove('d-none');
  field('name').focus();
}

void init();
