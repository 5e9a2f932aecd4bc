import { pagesConfig, postJson, showAlert } from './account-pages.js';
import { errorMessage, tooManyMessage } from './session.js';

const form = document.getElementById('forgot-form');
const button = document.getElementById('forgot-button');
const error = document.getElementById('error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showAlert(error);
  const email = document.getElementById('email').value.trim();
  if (email === '') {
    showAlert(error, 'Enter the email address of your account.');
    return;
  }
  button.disabled = true;
  try {
    const response = await postJson('/password/forgot', { email });
    // The server answers 202 with one fixed body whether or not the address is known: the page
    // says the same fixed thing. Only a refused request (a malformed address, too many) differs.
    if (response.status === 400) {
      showAlert(error, await errorMessage(response));
    } else if (response.status === 429) {
      showAlert(error, tooManyMessage(response));
    } else if (!response.ok) {
      showAlert(error, `Error: ${await errorMessage(response)}`);
    } else {
      form.classList.add('d-none');
      document.getElementById('sent').classList.remove('d-none');
    }
  } catch {
    showAlert(error, 'The server cannot be reached. Try again.');
  } finally {
    button.disabled = false;
  }
});

// Without mail (production with no SMTP_URL) the reset routes do not exist: say so at once.
void pagesConfig().then((config) => {
  if (!config.mail) {
    form.classList.add('d-none');
    showAlert(error, 'Password reset by mail is not available here. Ask your administrator.');
    form.after(error);
  }
});
