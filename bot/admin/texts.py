"""What the admin commands say. Counts and metadata only, never anyone's content."""

from __future__ import annotations

USAGE = """Admin commands:
/admin stats - users, consents, sessions, turns, provider latency, errors and usage
/admin user PLATFORM:ID - account metadata (no answers or scores)
/admin grant PLATFORM:ID N REASON - add N credits (negative N corrects)
/admin refund PLATFORM:ID N REASON - give N credits back
/admin purge - run the purge job now
/admin export PLATFORM:ID - that person's data export, for a support request
/admin breach MESSAGE - breach notice to everyone we hold data about
/admin broadcast MESSAGE - an update to people who turned updates on
PLATFORM is telegram or discord, e.g. telegram:123456."""

BAD_PERSON = "Name the person as PLATFORM:ID, e.g. telegram:123456."
NO_PERSON = "No data is held for that person."
USER_USAGE = "Usage: /admin user PLATFORM:ID"
USER = """Account (metadata only)
created: {created}
consent: {consent}
credits: {credits}
deletion: {deletion}
interviews: {sessions}
reachable on: {platforms}"""
ADJUST_USAGE = (
    "Usage: /admin {kind} PLATFORM:ID N REASON (N a whole number; a refund is positive; "
    "the reason is required)."
)
ADJUSTED = "Done: {kind} of {amount} credits recorded. Their balance is now {balance}."
PURGED = (
    "Purge done: {people_erased} people erased ({people_failed} failed, retried next run), "
    "{rows} rows and {blobs} blobs removed, {financial_rows} expired financial rows deleted, "
    "{updates_forgotten} old update ids forgotten."
)
PURGE_SKIPPED = "Purge skipped: another worker is purging right now. Try again in a minute."
EXPORT_USAGE = "Usage: /admin export PLATFORM:ID"
EXPORTED = "Here is the export for that person. Send it to them through a secure channel."
BREACH_USAGE = "Usage: /admin breach MESSAGE (what happened, what it means, what to do)."
BREACH_PROGRESS = "Breach notice: {done} of {total} people done…"
BREACH_DONE = (
    "Breach notice finished: sent to {sent} of {total} ({failed} failed, {unreachable} on a "
    "platform that is not connected). {unaddressed} people we hold data about have no stored "
    "chat address."
)
BREACH_EMAILED = "E-mail: {sent} of {emails} confirmed addresses sent ({failed} failed)."
BREACH_NO_EMAIL = (
    "{emails} confirmed e-mail addresses are held, but no e-mail channel is configured "
    "(COACH_SMTP_URL), so no e-mail was sent: write to them separately."
)
BROADCAST_USAGE = "Usage: /admin broadcast MESSAGE (goes only to people who turned updates on)."
BROADCAST_PROGRESS = "Update: {done} of {total} people done…"
BROADCAST_DONE = (
    "Update sent to {sent} of {total} opted-in people ({failed} failed, {unreachable} on a "
    "platform that is not connected)."
)
