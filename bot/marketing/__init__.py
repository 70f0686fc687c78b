"""Marketing e-mail, only with opt-in: the MailerLite client and `/marketing`."""
