"""A loopback fake of OpenAI's `/v1/audio/transcriptions` (aiohttp), speaking the wire format.

Multipart POST with `file`, `model`, `language`, `response_format` and
`timestamp_granularities[]`; answers `json` (`{"text"}`), `verbose_json` (`text`, `language`,
`duration`, `words: [{word, start, end}]`) or `text`. Tests inject failures (an HTTP status,
optionally with `Retry-After`, or a hang longer than the client's timeout) and can make the
server refuse `verbose_json` with a 400, as some OpenAI-compatible servers do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_servers.loopback import LoopbackServer

API_KEY = "sk-test-openai"
WORDS = (("Tell", 0.0, 0.3), ("me", 0.3, 0.5), ("about", 0.5, 0.9), ("it.", 0.9, 1.4))


@dataclass
class Upload:
    """One transcription request as the server saw it."""

    fields: dict[str, list[str]]
    filename: str
    content_type: str
    data: bytes
    authorization: str

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


@dataclass
class FakeOpenAI(LoopbackServer):
    words: tuple[tuple[str, float, float], ...] = WORDS
    language: str = "english"
    refuse_verbose: bool = False
    uploads: list[Upload] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        upload = await _read_upload(request)
        self.uploads.append(upload)
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "The server had an error", "server_error", headers)
        return self._answer(upload.field("response_format") or "json")

    def _answer(self, response_format: str) -> web.StreamResponse:
        text = " ".join(word for word, _, _ in self.words)
        if response_format == "verbose_json":
            if self.refuse_verbose:
                return _error(400, "response_format 'verbose_json' is not supported", None)
            return web.json_response(self._verbose(text))
        if response_format == "text":
            return web.Response(text=text + "\n", content_type="text/plain")
        return web.json_response({"text": text})

    def _verbose(self, text: str) -> dict[str, Any]:
        return {
            "task": "transcribe",
            "language": self.language,
            "duration": self.words[-1][2] if self.words else 0.0,
            "text": text,
            "words": [{"word": w, "start": s, "end": e} for w, s, e in self.words],
        }


async def _read_upload(request: web.Request) -> Upload:
    fields: dict[str, list[str]] = {}
    filename, content_type, data = "", "", b""
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        name = getattr(part, "name", None) or ""
        if name == "file":
            filename = getattr(part, "filename", None) or ""
            content_type = part.headers.get("Content-Type", "")
            data = await part.read()  # type: ignore[union-attr]
        else:
            fields.setdefault(name.removesuffix("[]"), []).append(await part.text())  # type: ignore[union-attr]
    auth = request.headers.get("Authorization", "")
    return Upload(fields, filename, content_type, bytes(data), auth)


def _error(
    status: int, message: str, code: str | None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return web.json_response(body, status=status, headers=headers)
