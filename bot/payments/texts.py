"""What the bot says about credits, payments and marketing e-mail."""

OUT_OF_CREDITS = (
    "You're out of credits: an interview costs {cost} and you have {balance}. "
    "Send /buy to get more, or /credits to see your history."
)
CREDITS_OFF = "Credits are switched off on this server: interviews are free."
BALANCE = "You have {balance} credits. An interview costs {cost}."
BUY_HINT = (
    "Send /buy for more. An interview that ends before your first answer is scored is "
    "refunded automatically."
)
BUY_TELEGRAM = (
    "Credits are paid with Telegram Stars. Pick a pack below; the credits arrive as soon as "
    "the payment goes through. Problems with a payment? Send /paysupport."
)
BUY_LINK = (
    "Buy credits here (secure checkout by Lemon Squeezy):\n{url}\n\n"
    "The link is yours alone; the credits arrive a moment after the payment. "
    "Problems with a payment? Send /paysupport."
)
BUY_UNAVAILABLE = (
    "Buying credits isn't set up on this server yet. Please ask the person who runs it."
)
INVOICE_TITLE = "{credits} interview credits"
INVOICE_DESCRIPTION = (
    "{credits} credits for mock interviews with voice feedback (one interview costs {cost})."
)
PAID = "Thank you! {credits} credits were added. You now have {balance}."
PAYMENT_UNMATCHED = (
    "Your payment arrived but I couldn't match it to a purchase. Nothing is lost: send "
    "/paysupport and we'll sort it out."
)
CHECKOUT_STALE = "This invoice has expired. Send /buy for a fresh one."
CHECKOUT_UNKNOWN = "I don't recognise this invoice. Send /buy for a fresh one."
PAY_SUPPORT = (
    "Help with a payment: write to {contact} with the reference of the purchase (shown in "
    "/credits) and what went wrong. Refunds of Telegram Stars go back to your Telegram "
    "balance and remove the credits bought. Purchases elsewhere are handled by Lemon Squeezy, "
    "our reseller: its receipt e-mail has a link to manage the order."
)
MARKETING_ASK_EMAIL = (
    "Tips and updates come by e-mail, only if you want them. Send your address like this:\n"
    "/marketing on you@example.org\n"
    "You'll get one e-mail with a confirmation link; nothing else is sent until you click it. "
    "/marketing off stops them at any time."
)
MARKETING_CONFIRM_SENT = (
    "Almost done: check {email} for a confirmation link. Nothing is sent until you click it. "
    "/marketing off stops everything at any time."
)
MARKETING_OFF = "Done: you're unsubscribed and won't get tips or updates by e-mail."
MARKETING_STATE = "Tips and updates by e-mail are {state}. Send /marketing on or /marketing off."
MARKETING_UNAVAILABLE = (
    "I couldn't reach our e-mail provider just now, so nothing changed. Please try again later."
)
