"""Credits and payments: the ledger policy, Telegram Stars, Lemon Squeezy, MailerLite opt-in."""
