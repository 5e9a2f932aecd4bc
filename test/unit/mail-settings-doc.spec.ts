import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailVariables } from '../../src/config/env-mail.js';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Every mail setting is where an operator looks for it (issue 25): .env.example and the reference. */
describe('The mail settings', () => {
  const names = Object.keys(mailVariables);

  it('should include the ones the README tells production to set', () => {
    expect(names).toEqual(expect.arrayContaining(['SMTP_URL', 'MAIL_FROM', 'PUBLIC_URL']));
  });

  it.each(names)('should list %s in .env.example with a placeholder', (name) => {
    expect(read('.env.example')).toMatch(new RegExp(`^# ${name}=\\S+$`, 'm'));
  });

  it.each(names)('should document %s in docs/configuration.md', (name) => {
    expect(read('docs/configuration.md')).toMatch(new RegExp(`^\\| \`${name}\` `, 'm'));
  });

  it('should recommend requireTLS for SMTP_URL in the README and .env.example', () => {
    expect(read('README.md')).toMatch(/SMTP_URL[\s\S]{0,200}\?requireTLS=true/);
    expect(read('.env.example')).toMatch(/^# SMTP_URL=smtp:\/\/\S+\?requireTLS=true$/m);
  });
});
