"""One documented error tree; SDK errors are wrapped with `raise ... from exc` at the edge."""


class CoachError(Exception):
    """Base of every error this application raises on purpose."""


class ConfigError(CoachError):
    """A setting is missing or has a wrong value; the message names the variable."""


class AudioError(CoachError):
    """Audio we cannot use; `user_message` is safe to show the candidate."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class AudioTooLong(AudioError):
    pass


class AudioTooLarge(AudioError):
    pass


class EmptyAudio(AudioError):
    pass


class NotAudio(AudioError):
    pass


class ProviderError(CoachError):
    """A speech, model or voice provider failed."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderUnavailable(ProviderError):
    """The provider cannot run here (missing binary, package or key)."""


class StorageError(CoachError):
    pass
