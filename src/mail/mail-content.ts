/** A mail as the outbox holds it: one bare recipient, a fixed subject, both bodies. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

/**
 * Both bodies of a mail from its paragraphs and an optional link: every value is escaped in the
 * HTML, whoever supplied it (an account's name is the user's own text).
 */
export function composeMail(
  to: string,
  subject: string,
  paragraphs: readonly string[],
  link?: { label: string; url: string },
): OutgoingMail {
  const textParts = [...paragraphs];
  const htmlParts = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`);
  if (link !== undefined) {
    textParts.push(`${link.label}:\n${link.url}`);
    htmlParts.push(`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`);
  }
  return {
    to,
    subject,
    text: `${textParts.join('\n\n')}\n`,
    html: `<!doctype html><html><body>${htmlParts.join('')}</body></html>`,
  };
}
