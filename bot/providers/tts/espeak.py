"""Offline voice: eSpeak NG (Debian `espeak-ng`), a formant voice that is always available.

It is understandable but robotic, and speech recognizers do badly on it: prefer flite.
"""

from __future__ import annotations

from bot.providers.tts._command import CommandTTS, SpeechFiles


class EspeakTTS(CommandTTS):
    """eSpeak NG speaks 22.05 kHz mono at 160 words a minute; the text goes on stdin."""

    name = "espeak-ng"
    install = "sudo apt-get install espeak-ng"
    words_per_minute = 160

    def __init__(
        self, *, voice: str = "en-us", binary: str = "espeak-ng", timeout_s: float = 30.0
    ) -> None:
        super().__init__(voice=voice, binary=binary, timeout_s=timeout_s)

    def _command(self, text: str, voice: str, files: SpeechFiles) -> tuple[list[str], bytes | None]:
        argv = [self.binary, "--stdout", "-v", voice, "-s", str(self.words_per_minute), "--stdin"]
        return argv, text.encode()
