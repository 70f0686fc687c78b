"""Everything the bot says that is not computed: greetings, help, prompts, errors."""

from __future__ import annotations

WELCOME = (
    "Hi! I'm your interview coach. I ask you real interview questions, you answer with a "
    "voice note (or text), and I score each answer and tell you how to make it stronger."
)

CONSENT_PROMPT = (
    "Before we start, the short version of how your data is handled:\n"
    "• I keep your answers (audio and transcript), scores and feedback so you can see your "
    "progress. They are encrypted at rest.\n"
    "• {processors}\n"
    "• You can export everything (/export) or delete it (/delete) at any time.\n"
    "Full details: /privacy\n\n"
    "This service is for people aged 16 or older. Please confirm your age first."
)

PROCESSORS_OFFLINE = "Speech and scoring run on this server; nothing is sent to third parties."

AGE_CONFIRMED = (
    "Thanks. Do you agree that I process your answers as described, to coach you? "
    "(Marketing messages stay off unless you ask for them.)"
)

UNDER_AGE = (
    "Sorry, this service is only for people aged 16 or older, so I can't coach you. "
    "I haven't stored anything about you. All the best with your job search!"
)

CONSENT_DECLINED = (
    "No problem: I haven't stored anything about you. If you change your mind, send /start."
)

CONSENT_NEEDED = (
    "I need your consent before I can listen to or store anything. Send /start to see how "
    "your data is handled and to agree."
)

CONSENT_THANKS = "Thank you, you're all set. Let's practise!"

HELP = """Here's what I can do:
/interview - start a mock interview (pick a role and level)
/skip - skip the current question
/retry - answer the current question again
/end - finish the interview and get your summary
/progress - your scores over time, with a chart
/stories - your story bank: save, reuse and refine your best answers
/reminders HH:MM Area/City - a practice question every day (/reminders off stops it)
/cv - send your CV so questions fit your experience (/cv clear removes it)
/jd <text> - paste a job description to practise for (/jd clear removes it)
/privacy - how your data is handled
/profile - see or correct your name and e-mail
/credits - your credits; /buy for more (/paysupport: help with a payment)
/marketing on EMAIL|off - tips by e-mail (off unless you turn them on)
/export - download everything I hold about you
/delete - delete your data (/delete cancel to undo)
/consent withdraw - stop all processing of your data
/help - this message

Answer each question with a voice note (up to {max_minutes} min) or by typing."""

CHOOSE_ROLE = "Which role are you preparing for?"
CHOOSE_LEVEL = "And which level? ({role})"
INTERVIEW_INTRO = (
    "{role}, {level} level: {count} questions. Answer out loud if you can; aim for one to "
    "two minutes, with a concrete example and a result you can measure."
)

NO_INTERVIEW = "There's no interview running. Send /interview to start one."
ALREADY_RUNNING = (
    "You're in the middle of an interview ({role}, question {number}). Answer it, /skip it, "
    "or /end the interview to start a new one."
)
PROCESSING = "Listening to your answer and scoring it…"
NOTHING_HEARD = (
    "I couldn't make out any words in that recording. Could you try again, a bit closer to "
    "the microphone? You can also type your answer."
)
EMPTY_TEXT = "That answer looks empty. Say or type your answer to the question above."
TRANSCRIBE_FAILED = (
    "Sorry, I couldn't transcribe that just now. Your recording is saved; please send it "
    "again in a moment, or type your answer."
)
SCORE_FAILED = (
    "Sorry, something went wrong while scoring your answer. It's saved; send /retry to try "
    "that question again."
)
NOT_AN_ANSWER_FILE = (
    "I can only use voice notes or audio files as answers. Please record a voice note or "
    "type your answer."
)
UNKNOWN_COMMAND = "I don't know the command {command}. Send /help to see what I can do."
SKIPPED = "Skipped."
NOTHING_TO_RETRY = "There's no answered question to retry yet."
RETRY = "Let's try that one again. Take your time:"
ENGLISH_ONLY = (
    "Note: in offline mode I coach in English only, so questions and feedback stay in "
    "English (with a cloud AI coach configured, they follow your language)."
)
BANK_EXHAUSTED = "That's every question I have for this role and level."
NO_PROGRESS = "No finished interviews yet. Send /interview to start one."
DUPLICATE = ""  # duplicates are dropped silently: the first delivery already got a reply
ALREADY_ANSWERED = (
    "I'm still working on your last answer, or it's already scored. Send /retry to answer "
    "again, /skip for the next question, or /end to finish."
)

CV_HOW = (
    "Send your CV as a document (PDF, DOCX or TXT, up to {max_mb} MB and {max_pages} pages) "
    "and I'll pick questions that fit your experience. It is stored encrypted; /cv clear "
    "removes it.{current}"
)
CV_SAVED = "Got your CV ({filename}). {skills} Your next interview's questions will lean on it."
CV_SKILLS = "Skills I spotted: {skills}."
CV_NO_SKILLS = "I didn't spot skills from my question banks, but I'll still use it."
CV_CLEARED = "Your CV is deleted."
CV_NONE = "There's no CV stored."
JD_HOW = (
    "Paste the job description after the command, like this:\n/jd We're hiring a backend "
    "engineer to…\nI'll steer your questions towards it. /jd clear removes it.{current}"
)
JD_SAVED = "Job description saved. {skills} Your next interview's questions will lean on it."
JD_CLEARED = "Your job description is deleted."
JD_NONE = "There's no job description stored."
