"""A small MailerLite client (connect API): subscribe, unsubscribe, forget.

Subscribers are created `unconfirmed`, so MailerLite itself e-mails the confirmation link
(double opt-in: enable it for API subscribers in the MailerLite account); nothing is mailed
to them before they click it. When the bot confirmed the address itself (a code by e-mail,
bot.marketing.confirmation), they are created `active`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from bot.core.errors import ProviderError

log = logging.getLogger(__name__)


class MailerLite:
    name = "mailerlite"

    def __init__(
        self, *, api_key: str, base_url: str = "https://connect.mailerlite.com/api",
        group_id: str | None = None, timeout_s: float = 10.0,
    ) -> None:  # fmt: skip
        self.group_id = group_id
        self._client = dict(
            base_url=base_url.rstrip("/") + "/", timeout=timeout_s,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        )  # fmt: skip

    async def subscribe(self, email: str, *, opted_in_at: datetime, confirmed: bool = False) -> str:
        """Add (or update) the subscriber in the group, `active` when we `confirmed` the
        address ourselves, else `unconfirmed`; MailerLite's id."""
        body: dict[str, Any] = {
            "email": email, "status": "active" if confirmed else "unconfirmed",
            "opted_in_at": opted_in_at.strftime("%Y-%m-%d %H:%M:%S"),
        }  # fmt: skip
        if self.group_id:
            body["groups"] = [self.group_id]
        data = await self._call("POST", "subscribers", json=body)
        try:
            return str(data["data"]["id"])
        except (KeyError, TypeError) as exc:
            raise ProviderError("MailerLite answered without a subscriber id") from exc

    async def unsubscribe(self, subscriber_id: str) -> None:
        await self._call("PUT", f"subscribers/{subscriber_id}", json={"status": "unsubscribed"})

    async def forget(self, subscriber_id: str) -> None:
        """Ask MailerLite to erase the subscriber (GDPR); an unknown one is already gone."""
        await self._call("POST", f"subscribers/{subscriber_id}/forget", missing_ok=True)

    async def _call(
        self, method: str, path: str, *, json: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:  # fmt: skip
        try:  # a client per call: opt-ins are rare and nothing is left open
            async with httpx.AsyncClient(**self._client) as http:  # type: ignore[arg-type]
                response = await http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"MailerLite unreachable ({type(exc).__name__})", retryable=True
            ) from exc
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code >= 400:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise ProviderError(f"MailerLite answered {response.status_code}", retryable=retryable)
        return response.json() if response.content else None
