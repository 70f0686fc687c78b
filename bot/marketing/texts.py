"""What the bot says during its own e-mail confirmation (a code by e-mail)."""

ASK_EMAIL = (
    "Tips and updates come by e-mail, only if you want them. Send your address like this:\n"
    "/marketing on you@example.org\n"
    "You'll get one e-mail with a 6-digit code; nothing else is sent until you confirm it."
)
CODE_SENT = (
    "Almost done: I e-mailed a 6-digit code to {email}. Send it like this within {minutes} "
    "minutes:\n/marketing confirm 123456\nNothing else is sent until you confirm. "
    "/marketing off stops everything at any time."
)
TOO_MANY_SENDS = (
    "I've already sent several codes in the last hour. Please check your inbox (and spam "
    "folder), or try again in an hour."
)
MAIL_UNAVAILABLE = (
    "I couldn't send the e-mail just now, so nothing changed. Please try again later."
)
CONFIRM_HOW = "Send the 6-digit code from the e-mail like this: /marketing confirm 123456"
CONFIRMED = (
    "Confirmed: your e-mail address is verified and you'll get tips and updates by e-mail. "
    "/marketing off stops them at any time."
)
NO_CODE = "There's no code waiting. Send /marketing on you@example.org to get one."
WRONG_CODE = "That code isn't right. Please check the e-mail and try again."
EXPIRED_CODE = "That code has expired. Send /marketing on you@example.org again to get a new one."
LOCKED_CODE = (
    "Too many wrong tries for this code. Send /marketing on you@example.org to get a new one."
)

EMAIL_SUBJECT = "Your Interview Coach confirmation code"
EMAIL_BODY = (
    "Your confirmation code is {code}\n\n"
    "Send it to the bot as: /marketing confirm {code}\n"
    "It expires in {minutes} minutes. If you didn't ask for tips by e-mail, ignore this "
    "message: nothing will be sent to you."
)
