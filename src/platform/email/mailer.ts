import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends an e-mail; resolves once the SMTP server has taken it. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * SMTP through nodemailer (SMTP_URL: smtp://user:pass@host:587 with STARTTLS when offered, or
 * smtps:// for implicit TLS), from SMTP_FROM. Absent: nothing is e-mailed and links are only handed
 * to whoever asked for them.
 */
export function createMailer(config: { url: string; from: string } | undefined): Mailer | undefined {
  if (!config) return undefined;
  const transport = nodemailer.createTransport(config.url);
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
