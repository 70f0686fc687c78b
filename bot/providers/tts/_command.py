"""The one place that runs a command-line speech synthesizer and reads back its WAV."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.audio import pcm_from_wav
from bot.core.errors import NotAudio, ProviderError, ProviderUnavailable
from bot.core.models import Pcm


@dataclass(frozen=True, slots=True)
class SpeechFiles:
    """Private per-call files: the text to speak and where a WAV may be written."""

    text: Path
    wav: Path


class CommandTTS(ABC):
    """A `TextToSpeech` that runs a local binary writing a WAV file to stdout.

    Subclasses set `name` and `install` and build the command line in `_command`.
    """

    name: str = "command"
    install: str = ""

    def __init__(self, *, voice: str, binary: str, timeout_s: float) -> None:
        self.voice = voice
        self.binary = binary
        self.timeout_s = timeout_s

    async def synthesize(self, text: str, *, voice: str | None = None) -> Pcm:
        """Speak `text` (in `voice`, else the default voice) and return its PCM."""
        clean = _printable(text)
        if not clean:
            raise ProviderError("nothing to say: text is empty")
        chosen = voice or self.voice
        with tempfile.TemporaryDirectory(prefix="coach-tts-") as workdir:
            files = SpeechFiles(Path(workdir) / "text.txt", Path(workdir) / "speech.wav")
            files.text.write_text(clean, encoding="utf-8")
            argv, stdin = self._command(clean, chosen, files)
            stdout = await run_command(
                argv, name=self.name, install=self.install, timeout_s=self.timeout_s, stdin=stdin
            )
            wav = files.wav.read_bytes() if files.wav.exists() else stdout
        try:
            pcm = pcm_from_wav(wav)
        except NotAudio as exc:
            raise ProviderError(f"{self.name} did not write a WAV file") from exc
        if not pcm.samples:
            raise ProviderError(f"{self.name} produced no audio (unknown voice {chosen!r}?)")
        return pcm

    @abstractmethod
    def _command(self, text: str, voice: str, files: SpeechFiles) -> tuple[list[str], bytes | None]:
        """The argv to run and the bytes for its stdin (None: no stdin).

        The text is also in the private file `files.text`: pass it by file or stdin, never
        on the command line, where any local user could read it in the process list. The
        WAV is read from `files.wav` when the command writes it there, else from stdout.
        """


async def run_command(
    argv: Sequence[str],
    *,
    name: str,
    install: str,
    timeout_s: float,
    stdin: bytes | None = None,
) -> bytes:
    """Run `argv` with a timeout and return its stdout; kill it on timeout or cancel."""
    if shutil.which(argv[0]) is None:
        raise ProviderUnavailable(_missing(name, argv[0], install))
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except (FileNotFoundError, PermissionError) as exc:
        raise ProviderUnavailable(_missing(name, argv[0], install)) from exc
    except OSError as exc:
        raise ProviderError(f"{name} could not start: {exc.strerror}") from exc
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(stdin), timeout_s)
    except TimeoutError as exc:
        raise ProviderError(f"{name} took longer than {timeout_s:g} s", retryable=True) from exc
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    if proc.returncode != 0:
        detail = stderr.decode(errors="replace").strip()[-200:]
        raise ProviderError(f"{name} exited with code {proc.returncode}: {detail}")
    return stdout


def _missing(name: str, binary: str, install: str) -> str:
    return f"{name} is not installed ({binary!r} not found); install it with: {install}"


def _printable(text: str) -> str:
    """Drop control characters (a NUL cannot even be passed on a command line)."""
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()
