// The service's mails, each as plain text and as HTML. Every value a user supplied (a display name)
// is escaped in the HTML; the plain text carries it as it is (a mail client shows text as text), and
// headers take it through nodemailer, which encodes it.

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For text in HTML elements and quoted attributes. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (character) => escapes[character] ?? character);

const page = (title: string, body: string): string =>
  [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">',
    body,
    '</body></html>',
  ].join('\n');

export const welcomeMail = (values: { readonly displayName: string }): RenderedMail => {
  const subject = 'Welcome to FastFlix';
  return {
    subject,
    text: [
      `Hello ${values.displayName},`,
      '',
      'Welcome to FastFlix. Rate a few movies you have seen and your recommendations will follow;',
      'add the ones you want to see to your watchlist, and we will tell you when they change.',
      '',
      'The FastFlix team',
    ].join('\n'),
    html: page(
      subject,
      [
        `<p>Hello ${escapeHtml(values.displayName)},</p>`,
        '<p>Welcome to FastFlix. Rate a few movies you have seen and your recommendations will follow;',
        'add the ones you want to see to your watchlist, and we will tell you when they change.</p>',
        '<p>The FastFlix team</p>',
      ].join('\n'),
    ),
  };
};

export const passwordResetMail = (values: { readonly token: string; readonly expiresAt: Date }): RenderedMail => {
  const subject = 'Reset your FastFlix password';
  const until = values.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    subject,
    text: [
      'Someone (we hope you) asked to reset the password of your FastFlix account.',
      '',
      `Your reset token, valid for one hour: ${values.token}`,
      `(until ${until})`,
      '',
      'POST it as {"token": "…", "newPassword": "…"} to /auth/password-reset/confirm.',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
    html: page(
      subject,
      [
        '<p>Someone (we hope you) asked to reset the password of your FastFlix account.</p>',
        `<p>Your reset token, valid for one hour (until ${escapeHtml(until)}):</p>`,
        `<p><code style="word-break: break-all">${escapeHtml(values.token)}</code></p>`,
        '<p>POST it as <code>{"token": "…", "newPassword": "…"}</code> to <code>/auth/password-reset/confirm</code>.',
        'If you did not ask for this, ignore this message: your password stays as it is.</p>',
      ].join('\n'),
    ),
  };
};
