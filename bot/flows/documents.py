"""`/cv` and `/jd`: the candidate's CV and target job description, stored sealed, used to
tailor questions. A CV is fetched only after consent (the engine's gate guarantees it)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.core.clock import Clock
from bot.core.models import Attachment, Reply
from bot.core.records import UserRecord
from bot.core.store import Store
from bot.flows import texts
from bot.flows.commands import Command
from bot.flows.cv import (
    MAX_BYTES,
    MAX_CHARS,
    MAX_PAGES,
    DocumentRejected,
    document_type,
    extract_cv_text,
    skills_in,
    tidy,
    too_large,
)

log = logging.getLogger(__name__)


def is_document(attachment: Attachment | None) -> bool:
    """A non-audio document: a CV candidate (audio and video files stay answers)."""
    if attachment is None or attachment.kind != "document":
        return False
    return not (attachment.mime or "").startswith(("audio/", "video/"))


def is_cv_file(attachment: Attachment) -> bool:
    """A PDF, DOCX or TXT by extension or MIME type: a CV even in the middle of an interview."""
    return document_type(attachment.filename, attachment.mime) is not None


def profile_texts(documents: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The newest CV text and job description among the person's stored documents."""
    latest = {d["kind"]: d.get("text") for d in documents}
    return latest.get("cv") or None, latest.get("jd") or None


class DocumentFlow:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        max_bytes: int = MAX_BYTES,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.store = store
        self.clock = clock
        self.max_bytes = max_bytes
        self.max_pages = max_pages

    async def command(self, user: UserRecord, command: Command) -> Reply:
        kind = "cv" if command.name == "cv" else "jd"
        if command.rest.lower() in ("clear", "delete", "remove"):
            return await self._clear(user, kind)
        if kind == "jd" and command.rest:
            return await self._save_jd(user, command.rest)
        async with self.store.unit_of_work() as uow:
            cv, jd = profile_texts(await uow.users.documents(user))
        if kind == "cv":
            current = "\n\nYou have a CV stored; sending a new one replaces it." if cv else ""
            return Reply(
                texts.CV_HOW.format(
                    max_mb=self.max_bytes // (1024 * 1024), max_pages=self.max_pages,
                    current=current,
                )
            )  # fmt: skip
        current = "\n\nYou have one stored; a new one replaces it." if jd else ""
        return Reply(texts.JD_HOW.format(current=current))

    async def upload(self, user: UserRecord, attachment: Attachment) -> Reply:
        """Download, parse (in a worker thread), store sealed, and confirm with skills found."""
        if attachment.size is not None and attachment.size > self.max_bytes:
            return Reply(too_large(self.max_bytes))
        data = await attachment.fetch()
        try:
            text = await asyncio.to_thread(
                extract_cv_text, data, filename=attachment.filename, mime=attachment.mime,
                max_bytes=self.max_bytes, max_pages=self.max_pages,
            )  # fmt: skip
        except DocumentRejected as exc:
            log.info("CV rejected (%s, %d bytes)", attachment.mime, len(data))
            return Reply(exc.message)
        async with self.store.unit_of_work() as uow:
            await uow.users.save_document(
                user, kind="cv", filename=attachment.filename, text=text, now=self.clock.now()
            )
        log.info("CV stored (%d characters)", len(text))
        return Reply(texts.CV_SAVED.format(filename=attachment.filename, skills=_skills(text)))

    async def _save_jd(self, user: UserRecord, raw: str) -> Reply:
        text = tidy(raw)[:MAX_CHARS]
        async with self.store.unit_of_work() as uow:
            await uow.users.save_document(
                user, kind="jd", filename=None, text=text, now=self.clock.now()
            )
        return Reply(texts.JD_SAVED.format(skills=_skills(text)))

    async def _clear(self, user: UserRecord, kind: str) -> Reply:
        async with self.store.unit_of_work() as uow:
            removed = await uow.users.delete_documents(user, kind=kind)
        if kind == "cv":
            return Reply(texts.CV_CLEARED if removed else texts.CV_NONE)
        return Reply(texts.JD_CLEARED if removed else texts.JD_NONE)


def _skills(text: str) -> str:
    found = skills_in(text)
    return texts.CV_SKILLS.format(skills=", ".join(found)) if found else texts.CV_NO_SKILLS
