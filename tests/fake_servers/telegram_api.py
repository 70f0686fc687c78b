"""A loopback fake of the Telegram Bot API (aiohttp) that records every call.

Answers getMe, getUpdates (a long poll woken by new updates and by shutdown), getFile (file
paths that do not exist locally, so PTB downloads them), file downloads, the send methods
and the acknowledgement-only methods. Tests push updates, inject one 429 or 5xx per method,
and wait for calls without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-abcdef"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Coach", "username": "CoachTestBot"}
TRUE_METHODS = {
    "sendChatAction", "answerCallbackQuery", "setMyCommands", "deleteWebhook", "setWebhook",
    "editMessageReplyMarkup", "close", "logOut", "answerPreCheckoutQuery", "refundStarPayment",
}  # fmt: skip
MESSAGE_METHODS = {"sendMessage", "sendVoice", "sendDocument", "sendPhoto", "sendInvoice"}


@dataclass
class Call:
    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    def json(self, name: str) -> Any:
        """A parameter PTB sent JSON-encoded (reply_markup, commands, ...)."""
        return json.loads(self.params[name])


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.downloads: list[str] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self._pending: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[int, int | None]]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Wake every pending long poll, then close the server."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -------------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver an update at the next getUpdates (pushed twice: delivered twice)."""
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()
        return update

    def fail_once(self, method: str, status: int, retry_after: int | None = None) -> None:
        """The next call of `method` fails with `status` (429 carries `retry_after`)."""
        self._failures.setdefault(method, []).append((status, retry_after))

    def add_file(self, data: bytes, suffix: str = "oga") -> str:
        """Register file bytes; returns the file_id. Its path does not exist locally."""
        file_id = f"file-{secrets.token_hex(6)}"
        self.files[file_id] = (f"voice/fake-{secrets.token_hex(6)}/file.{suffix}", data)
        return file_id

    def sent(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if c.method == method and (chat_id is None or c.params.get("chat_id") == str(chat_id))
        ]  # fmt: skip

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params["text"] for c in self.sent("sendMessage", chat_id)]

    async def wait_for(
        self, predicate: Callable[[FakeBotApi], bool], timeout: float = 10.0
    ) -> None:
        """Wait until `predicate(self)` holds, re-checking after every recorded call."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: predicate(self))

    async def wait_for_call(self, method: str, count: int = 1, timeout: float = 10.0) -> Call:
        await self.wait_for(lambda api: len(api.sent(method)) >= count, timeout)
        return self.sent(method)[count - 1]

    # --- the server ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        call = await _read_call(method, request)
        failures = self._failures.get(method)
        if failures:
            status, retry_after = failures.pop(0)
            await self._record(call)
            return _error(status, "injected failure", retry_after)
        await self._record(call)
        if method == "getUpdates":
            return _ok(await self._updates(call))
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "getFile":
            return self._get_file(call.params.get("file_id", ""))
        if method in MESSAGE_METHODS:
            return _ok(self._message(call))
        if method in TRUE_METHODS:
            return _ok(True)
        return _error(404, "Not Found: method not found")

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _updates(self, call: Call) -> list[dict[str, Any]]:
        timeout = float(call.params.get("timeout", "0") or 0)
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(lambda: bool(self._pending) or self._closing)
            except TimeoutError:
                pass
            batch, self._pending = self._pending, []
        return batch

    def _get_file(self, file_id: str) -> web.Response:
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return _ok({"file_id": file_id, "file_unique_id": file_id[-6:], "file_size": len(data),
                    "file_path": path})  # fmt: skip

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        found = next((d for p, d in self.files.values() if p == path), None)
        if request.match_info["token"] != self.token or found is None:
            return web.Response(status=404)
        async with self._changed:
            self.downloads.append(path)
            self._changed.notify_all()
        return web.Response(body=found, content_type="application/octet-stream")

    def _message(self, call: Call) -> dict[str, Any]:
        chat_id = int(call.params.get("chat_id", "0"))
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }  # fmt: skip
        if "text" in call.params:
            message["text"] = call.params["text"]
        return message


async def _read_call(method: str, request: web.Request) -> Call:
    call = Call(method, {})
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            name = part.name or ""  # type: ignore[union-attr]
            data = await part.read()  # type: ignore[union-attr]
            filename = part.filename  # type: ignore[union-attr]
            if filename:
                call.files[name] = (filename, bytes(data))
            else:
                call.params[name] = bytes(data).decode()
    elif request.content_type == "application/json":
        body = await request.json()
        call.params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    elif request.can_read_body:
        call.params = {k: str(v) for k, v in (await request.post()).items()}
    return call


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


# --- update builders -----------------------------------------------------------------------

_update_ids = itertools.count(1000)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}


def message_update(
    chat_id: int, *, text: str | None = None, chat_type: str = "private",
    update_id: int | None = None, **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    """A `message` update; in a group the chat id is negative and the sender is 1001."""
    sender = chat_id if chat_type == "private" else 1001
    message: dict[str, Any] = {
        "message_id": next(_update_ids), "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type}, "from": user(sender), **extra,
    }  # fmt: skip
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id or next(_update_ids), "message": message}


def voice_update(
    chat_id: int, file_id: str, *, duration: int, size: int, chat_type: str = "private"
) -> dict[str, Any]:
    voice = {"file_id": file_id, "file_unique_id": file_id[-6:], "duration": duration,
             "mime_type": "audio/ogg", "file_size": size}  # fmt: skip
    return message_update(chat_id, chat_type=chat_type, voice=voice)


def button_update(chat_id: int, data: str) -> dict[str, Any]:
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id,
               "type": "private"}, "from": BOT_USER, "text": "(buttons)"}  # fmt: skip
    query = {"id": secrets.token_hex(4), "from": user(chat_id), "chat_instance": "ci",
             "message": message, "data": data}  # fmt: skip
    return {"update_id": next(_update_ids), "callback_query": query}


def pre_checkout_update(
    user_id: int, payload: str, amount: int, currency: str = "XTR"
) -> dict[str, Any]:
    """A `pre_checkout_query`: the buyer pressed Pay on an invoice (Telegram Stars: XTR)."""
    query = {"id": secrets.token_hex(6), "from": user(user_id), "currency": currency,
             "total_amount": amount, "invoice_payload": payload}  # fmt: skip
    return {"update_id": next(_update_ids), "pre_checkout_query": query}


def successful_payment_update(
    chat_id: int, payload: str, amount: int, charge_id: str, currency: str = "XTR"
) -> dict[str, Any]:
    """The service message Telegram sends once a payment went through."""
    paid = {"currency": currency, "total_amount": amount, "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": ""}  # fmt: skip
    return message_update(chat_id, successful_payment=paid)
