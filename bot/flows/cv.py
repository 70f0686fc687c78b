"""CV and job-description text: extraction from PDF, DOCX and TXT, and the skills found.

Parsing is synchronous and CPU-bound: callers run `extract_cv_text` in a worker thread
(`asyncio.to_thread`). CV text is personal data: nothing here logs it.
"""

from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from pathlib import PurePosixPath

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 10
MAX_CHARS = 20_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
INFLATES = (
    "That document unpacks to far more than a CV could hold, so I didn't open it. "
    "Please send your CV as a PDF or a plain text file."
)

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BY_EXTENSION = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".text": "txt", ".md": "txt"}
_BY_MIME = {PDF_MIME: "pdf", DOCX_MIME: "docx", "text/plain": "txt", "text/markdown": "txt"}

SCANNED = (
    "It looks like a scanned image: please send the text instead (a .txt or .docx, or paste it)."
)
UNSUPPORTED = "I can read CVs as PDF, DOCX or TXT files. Please send it in one of those formats."
OLD_WORD = "That looks like an old Word file (.doc). Please save it as .docx or PDF and resend it."
ENCRYPTED = "That PDF is password-protected. Please send a copy without a password."
CORRUPT = "I couldn't open that file: it seems damaged. Please export it again and resend it."
EMPTY = "I couldn't find any text in that file. Please send your CV as text instead."


class DocumentRejected(Exception):
    """The file can't be used as a CV; `message` tells the candidate why, plainly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def too_large(max_bytes: int) -> str:
    return f"That file is too big for me: CVs can be up to {max_bytes // (1024 * 1024)} MB."


def document_type(filename: str, mime: str | None) -> str | None:
    """ "pdf", "docx" or "txt" from the file name's extension, else from the MIME type."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    return _BY_MIME.get((mime or "").split(";", 1)[0].strip().lower())


def extract_cv_text(
    data: bytes,
    *,
    filename: str,
    mime: str | None,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
) -> str:
    """The document's plain text, tidied and trimmed to MAX_CHARS; DocumentRejected if unusable."""
    if len(data) > max_bytes:
        raise DocumentRejected(too_large(max_bytes))
    kind = document_type(filename, mime)
    if kind is None and data.startswith(b"%PDF-"):
        kind = "pdf"
    if kind is None:
        doc = PurePosixPath(filename or "").suffix.lower() == ".doc"
        raise DocumentRejected(OLD_WORD if doc else UNSUPPORTED)
    if kind == "pdf":
        text = _pdf_text(data, max_pages)
    elif kind == "docx":
        text = _docx_text(data)
    else:
        text = _txt_text(data)
    text = tidy(text)
    if not text:
        raise DocumentRejected(SCANNED if kind == "pdf" else EMPTY)
    return text[:MAX_CHARS]


def _pdf_text(data: bytes, max_pages: int) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected(ENCRYPTED)
        pages = reader.pages
        if len(pages) > max_pages:
            raise DocumentRejected(
                f"That PDF has {len(pages)} pages; I read CVs of up to {max_pages} pages."
            )
        return "\n".join(page.extract_text() or "" for page in pages)
    except DocumentRejected:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise DocumentRejected(_pdf_error(exc)) from None


def _pdf_error(exc: Exception) -> str:
    """Encryption pypdf can't handle shows up as an error too; everything else is damage."""
    from pypdf.errors import FileNotDecryptedError

    return ENCRYPTED if isinstance(exc, FileNotDecryptedError) else CORRUPT


def _docx_text(data: bytes) -> str:
    import docx

    if _unzipped_size(data) > MAX_UNZIPPED_BYTES:  # a decompression bomb (#12)
        raise DocumentRejected(INFLATES)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # BadZipFile, KeyError, python-docx's PackageNotFoundError, XML errors
        raise DocumentRejected(CORRUPT) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _unzipped_size(data: bytes) -> int:
    """What a ZIP (a .docx) declares it unpacks to; zipfile never inflates past that."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return 0  # not a readable ZIP: python-docx reports it as damaged


def _txt_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentRejected(UNSUPPORTED)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def tidy(text: str) -> str:
    """Collapse runs of spaces, drop blank-line runs and control characters."""
    text = re.sub(r"[^\S\n]+", " ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch == "\n" or ch.isprintable())
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@lru_cache(maxsize=1)
def _bank_keywords() -> tuple[str, ...]:
    from bot.flows.questions import ROLES, load_bank

    found = {
        k.strip().lower()
        for role in ROLES
        for q in load_bank(role)
        for k in q.keywords
        if len(k.strip()) >= 3 and not k.strip()[0].isdigit()
    }
    return tuple(sorted(found))


def skills_in(text: str, *, limit: int = 8) -> list[str]:
    """Question-bank keywords that appear in the text, in the order they first appear."""
    lowered = text.lower()
    hits: list[tuple[int, str]] = []
    for keyword in _bank_keywords():
        match = re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", lowered)
        if match:
            hits.append((match.start(), keyword))
    hits.sort()
    return [k for _, k in hits[:limit]]
