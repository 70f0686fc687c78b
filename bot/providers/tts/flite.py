"""Offline voice: CMU Flite (Debian `flite`; voices slt, rms, awb, kal)."""

from __future__ import annotations

from bot.providers.tts._command import CommandTTS, SpeechFiles


class FliteTTS(CommandTTS):
    """Flite speaks 16 kHz mono; it reads the text from a private temporary file (`-f`).

    Flite silently uses its default voice when asked for a voice it does not know.
    """

    name = "flite"
    install = "sudo apt-get install flite"

    def __init__(
        self, *, voice: str = "slt", binary: str = "flite", timeout_s: float = 30.0
    ) -> None:
        super().__init__(voice=voice, binary=binary, timeout_s=timeout_s)

    def _command(self, text: str, voice: str, files: SpeechFiles) -> tuple[list[str], bytes | None]:
        return [self.binary, "-voice", voice, "-f", str(files.text), "-o", str(files.wav)], None
