"""What the bot says about privacy rights."""

EXPORT_READY = (
    "Here is everything I hold about you: a ZIP with your answers (recordings and "
    "transcripts), scores, feedback, consents and profile. README.txt inside explains each file."
)
EXPORT_LIMIT = "You can export your data {limit} times a day. Please try again tomorrow."
DELETE_CONFIRM = (
    "Delete your data? After {days} days everything about you is erased for good: "
    "recordings, transcripts, scores, feedback and profile. Until then nothing is processed "
    "and you can change your mind. Or erase everything right now."
)
DELETION_PENDING = (
    "Your data is scheduled for deletion on {date}. Until then I won't process anything. "
    "Send /delete cancel (or press the button) to keep using the coach, or /export for a copy."
)
DELETE_CANCELLED = "Deletion cancelled: your data stays and you can keep practising."
NOTHING_TO_CANCEL = "There's no deletion request to cancel."
DELETE_KEPT = "OK, nothing was deleted."
ERASING_NOW = "Erasing everything about you now…"
ERASED = (
    "Done: everything about you has been erased (only anonymised payment records, if any, "
    "are kept as the law requires). Send /start if you ever want to practise again."
)
CONSENT_WITHDRAWN = (
    "Consent withdrawn: I've stopped processing your data. You can still export it or delete "
    "it. Send /start if you want to practise again."
)
NO_DATA = "I don't hold any data about you."
MARKETING_STATUS = (
    "Tips and updates by message or e-mail are {state}. Send /marketing on or /marketing off "
    "to change it."
)
PROFILE = (
    "Your profile\nName: {name}\nE-mail: {email}\n\n"
    "Change it with /profile name Your Name or /profile email you@example.org."
)
PROFILE_INVALID = "That {field} doesn't look right. Please check it and send it again."
