"""The terminal adapter: a full chat adapter over stdin/stdout, scriptable with a pipe.

Type an answer, `:voice PATH` to answer with an audio file, a number to press a button,
`/help` for commands, `:quit` (or end of input) to finish with a summary.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import TextIO

from bot.core.models import Attachment, ChatRef, Inbound, Reply
from bot.core.ports import Handler

PLAYERS = (("mpv", "--really-quiet"), ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
           ("paplay",), ("cvlc", "--play-and-exit"))  # fmt: skip


class ConsoleAdapter:
    name = "console"

    def __init__(
        self, *, stdin: TextIO, stdout: TextIO, audio_dir: Path, play: bool = False,
        user_id: str = "local", opening: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.stdin = stdin
        self.stdout = stdout
        self.audio_dir = audio_dir
        self.play = play
        self.chat = ChatRef("console", user_id, user_id)
        self.opening = opening
        self.awaiting_answer = False
        self.voice_files: list[Path] = []
        self._buttons: dict[str, str] = {}
        self._run = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._stopped = False

    async def start(self, handle: Handler) -> None:
        """Feed the opening events, then every input line, until `:quit` or end of input."""
        for event in self.opening:
            await handle(self._inbound(event), self)
        while not self._stopped:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            line = line.strip()
            if line in (":quit", ":q", ":exit"):
                break
            if line.startswith(":voice") and not self._voice_file_exists(line):
                continue
            if line:
                await handle(self._inbound(line), self)
        if self.awaiting_answer:
            await handle(self._inbound("/end"), self)

    async def stop(self) -> None:
        self._stopped = True

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        if reply.progress:
            self._print(f"… {reply.text}")
            return
        self.awaiting_answer = reply.expects_answer
        self._print(reply.text)
        self._buttons = {}
        for number, button in enumerate((b for row in reply.buttons for b in row), start=1):
            self._buttons[str(number)] = button.data
            self._print(f"  [{number}] {button.label}")
        if reply.voice is not None:
            path = self._save_voice(reply.voice.data)
            self._print(f"(voice: {path})")
        if reply.image is not None:
            self._print(f"(image: {self._save_image(reply.image.data, reply.image.filename)})")
        self._print("")

    def _inbound(self, line: str) -> Inbound:
        update_id = f"{self._run}-{next(self._ids)}"
        if line in self._buttons:
            return Inbound(self.chat, update_id, button=self._buttons[line])
        if line.startswith(":voice"):
            path = Path(line.removeprefix(":voice").strip()).expanduser()
            return Inbound(self.chat, update_id, attachment=_file_attachment(path))
        if line.startswith(("role:", "level:", "restart:")):
            return Inbound(self.chat, update_id, button=line)
        return Inbound(self.chat, update_id, text=line)

    def _voice_file_exists(self, line: str) -> bool:
        path = Path(line.removeprefix(":voice").strip()).expanduser()
        if path.is_file():
            return True
        self._print(f"No such file: {path}. Usage: :voice PATH (OGG, WAV, MP3, M4A or WebM)\n")
        return False

    def _save_voice(self, data: bytes) -> Path:
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        path = self.audio_dir / f"{self._run}-{len(self.voice_files) + 1:03d}.ogg"
        path.write_bytes(data)
        self.voice_files.append(path)
        if self.play:
            _play(path)
        return path

    def _save_image(self, data: bytes, filename: str) -> Path:
        """Save a picture (the progress chart) next to the voice replies; its path."""
        self.audio_dir.mkdir(parents=True, exist_ok=True)
        path = self.audio_dir / f"{self._run}-{Path(filename).name}"
        path.write_bytes(data)
        return path

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()


def _file_attachment(path: Path) -> Attachment:
    async def fetch() -> bytes:
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError:
            return b""

    size = path.stat().st_size if path.is_file() else 0
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Attachment(kind="audio", fetch=fetch, filename=path.name, mime=mime, size=size)


def _play(path: Path) -> None:
    for command in PLAYERS:
        if shutil.which(command[0]):
            subprocess.Popen(
                [*command, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            return
