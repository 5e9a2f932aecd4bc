import { longEnough, PASSWORD_MIN_LENGTH, postJson, showAlert, takeLinkToken } from './account-pages.js';
import { errorMessage, session, tooManyMessage } from './session.js';

// Read before anything else, and taken off the address bar: the token never reaches a server
// (it is in the fragment) and is not left in the history.
const token = takeLinkToken();

const form = document.getElementById('reset-form');
const button = document.getElementById('reset-button');
const error = document.getElementById('error');
const newPassword = document.getElementById('new-password');
const confirmPassword = document.getElementById('confirm-password');

/** A link that cannot work (missing, invalid, used or expired token): say so, offer a new one. */
function showInvalid(text) {
  form.classList.add('d-none');
  showAlert(document.getElementById('invalid'), text);
  document.getElementById('invalid').classList.remove('d-none');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showAlert(error);
  const password = newPassword.value;
  if (!longEnough(password)) {
    showAlert(error, `The new password must be at least ${PASSWORD_MIN_LENGTH} characters.`);
    newPassword.focus();
    return;
  }
  if (password !== confirmPassword.value) {
    showAlert(error, 'The two passwords differ. Type the same new password twice.');
    confirmPassword.select();
    return;
  }
  button.disabled = true;
  try {
    const response = await postJson('/password/reset', { token, newPassword: password });
    if (response.status === 204) {
      // Every session of the account has ended: a token kept here is of no use any more.
      session.clear();
      form.classList.add('d-none');
      document.getElementById('done').classList.remove('d-none');
      document.getElementById('go-login').focus();
      return;
    }
    const message = await errorMessage(response);
    if (response.status === 400 && /^token /.test(message)) {
      showInvalid('This link is invalid, already used or expired. Ask for a new one.');
    } else if (response.status === 400) {
      showAlert(error, message);
    } else if (response.status === 429) {
      showAlert(error, tooManyMessage(response));
    } else {
      showAlert(error, `Error: ${message}`);
    }
  } catch {
    showAlert(error, 'The server cannot be reached. Try again.');
  } finally {
    button.disabled = false;
  }
});

if (token === null) {
  showInvalid('This page opens from the link in a password reset mail, and this link is incomplete.');
} else {
  form.classList.remove('d-none');
  newPassword.focus();
}
