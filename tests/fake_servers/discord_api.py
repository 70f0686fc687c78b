"""A loopback fake of Discord (aiohttp): REST under /api/v10, a gateway websocket and a CDN.

REST answers what discord.py calls at login (users/@me, oauth2/applications/@me,
gateway/bot), command sync, interaction callbacks and webhook follow-ups, channel messages
(JSON or multipart with files), typing, DM channels, private threads and thread members.
The gateway sends HELLO, answers heartbeats, IDENTIFY -> READY + GUILD_CREATE, and lets
tests dispatch MESSAGE_CREATE and INTERACTION_CREATE. Frames are plain JSON text (no
compression). Everything the bot sends is recorded; tests wait for it without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "ODk5.fake.discord-token"
APP_ID = "900000000000000001"
GUILD_ID = "910000000000000001"
PRACTICE_CHANNEL = "920000000000000001"
GENERAL_CHANNEL = "920000000000000002"
MANAGE_GUILD = 1 << 5
BOT_USER = {"id": APP_ID, "username": "Coach", "discriminator": "0", "global_name": "Coach",
            "avatar": None, "bot": True}  # fmt: skip
_ids = itertools.count(930000000000000001)


def snowflake() -> str:
    return str(next(_ids))


def person(user_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": f"user{user_id[-4:]}", "discriminator": "0",
            "global_name": "Ada", "avatar": None}  # fmt: skip


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Sent:
    """One request the bot made: its route, JSON payload and uploaded files."""

    route: str
    target: str
    payload: dict[str, Any]
    files: list[tuple[str, bytes, str]] = field(default_factory=list)

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def flags(self) -> int:
        return int(self.payload.get("flags") or 0)

    def custom_ids(self) -> list[str]:
        rows = self.payload.get("components") or []
        return [c.get("custom_id", "") for row in rows for c in row.get("components", [])]


class FakeDiscord:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.sent: list[Sent] = []
        self.downloads: list[str] = []
        self.files: dict[str, bytes] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.dm_channels: dict[str, str] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.thread_members: list[tuple[str, str]] = []
        self.identified = 0
        self._failures: dict[str, list[tuple[int, float, bool]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- addresses -----------------------------------------------------------------------

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{channel}/{id}/{name}", self._cdn)
        app.router.add_route("*", "/api/v10/{path:.+}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -------------------------------------------------------------------

    def fail(self, route: str, status: int, *, times: int = 1, retry_after: float = 0.01,
             via: bool = True) -> None:  # fmt: skip
        """The next `times` requests to `route` (e.g. "POST channels/messages") fail."""
        self._failures.setdefault(route, []).extend([(status, retry_after, via)] * times)

    def add_file(self, data: bytes, filename: str = "voice-message.ogg") -> str:
        """Host bytes on the CDN; returns the attachment URL."""
        url = f"http://127.0.0.1:{self.port}/attachments/{snowflake()}/{snowflake()}/{filename}"
        self.files[url] = data
        return url

    async def dispatch(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send one gateway event to every connected client."""
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        for ws in list(self._sockets):
            await ws.send_str(json.dumps(frame))
        return data

    def to(self, target: str) -> list[Sent]:
        """Everything sent to one channel, or to one interaction's token."""
        return [s for s in self.sent if s.target == target]

    def contents(self, target: str) -> list[str]:
        return [s.content for s in self.to(target) if s.content]

    async def wait_for(self, predicate: Callable[[FakeDiscord], bool], timeout: float = 15) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: predicate(self))

    async def wait_ready(self, timeout: float = 15) -> None:
        """Wait until a client has identified on the gateway."""
        await self.wait_for(lambda f: f.identified > 0 and bool(f._sockets), timeout)

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with `user_id` (the same one the bot gets)."""
        return str(self._dm(user_id)["id"])

    # --- REST ----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        parts = request.match_info["path"].split("/")
        by_token = parts[0] in ("interactions", "webhooks")  # the URL's token authorises these
        if not by_token and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        key = f"{request.method} {_route_name(parts)}"
        failures = self._failures.get(key)
        if failures:
            status, retry_after, via = failures.pop(0)
            body = {"message": "You are being rate limited.", "retry_after": retry_after,
                    "global": False}  # fmt: skip
            headers = {"Via": "1.1 google"} if via else {}
            return _json(body, status, headers)
        payload, files = await _read_body(request)
        return await self._answer(request.method, parts, payload, files)

    async def _answer(
        self, method: str, parts: list[str], payload: dict[str, Any], files: list[Any]
    ) -> web.StreamResponse:
        match method, parts:
            case "GET", ["users", "@me"]:
                return _json(BOT_USER)
            case "GET", ["oauth2", "applications", "@me"]:
                return _json(_application())
            case "GET", ["gateway", "bot"]:
                limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
                return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
            case "GET", ["gateway"]:
                return _json({"url": self.gateway_url})
            case "PUT", ["applications", _, "commands"]:
                return _json(self._sync("global", payload.get("items", [])))
            case "PUT", ["applications", _, "guilds", guild, "commands"]:
                return _json(self._sync(guild, payload.get("items", [])))
            case "POST", ["interactions", interaction_id, token, "callback"]:
                return await self._callback(interaction_id, token, payload, files)
            case "POST", ["webhooks", _, token]:
                await self._record(Sent("followup", token, payload, files))
                return _json(_message(token_channel(token), payload, files))
            case "PATCH", ["webhooks", _, token, "messages", _]:
                await self._record(Sent("edit", token, payload, files))
                return _json(_message(token_channel(token), payload, files))
            case "POST", ["channels", channel, "messages"]:
                await self._record(Sent("message", channel, payload, files))
                return _json(_message(channel, payload, files))
            case "POST", ["channels", channel, "typing"]:
                await self._record(Sent("typing", channel, {}))
                return web.Response(status=204)
            case "POST", ["users", "@me", "channels"]:
                return _json(self._dm(str(payload["recipient_id"])))
            case "POST", ["channels", channel, "threads"]:
                return _json(await self._thread(channel, payload))
            case "PUT", ["channels", thread, "thread-members", user_id]:
                await self._record(Sent("thread-member", thread, {"user_id": user_id}))
                self.thread_members.append((thread, user_id))
                return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _sync(self, scope: str, commands: Any) -> list[dict[str, Any]]:
        synced = [{**c, "id": snowflake(), "application_id": APP_ID, "version": "1"}
                  for c in commands]  # fmt: skip
        self.commands[scope] = synced
        return synced

    async def _callback(
        self, interaction_id: str, token: str, payload: dict[str, Any], files: list[Any]
    ) -> web.Response:
        await self._record(Sent("callback", token, payload, files))
        kind = int(payload.get("type", 0))
        data = payload.get("data") or {}
        message_id = snowflake()
        result: dict[str, Any] = {
            "interaction": {
                "id": interaction_id, "type": 2, "response_message_id": message_id,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags", 0)) & 64),
            },
            "resource": {"type": kind},
        }  # fmt: skip
        if kind == 4:
            result["resource"]["message"] = _message(token_channel(token), data, files, message_id)
        return _json(result)

    def _dm(self, user_id: str) -> dict[str, Any]:
        channel = self.dm_channels.setdefault(user_id, snowflake())
        return {"id": channel, "type": 1, "recipients": [person(user_id)], "last_message_id": None}

    async def _thread(self, parent: str, payload: dict[str, Any]) -> dict[str, Any]:
        thread = {
            "id": snowflake(), "type": int(payload.get("type", 12)), "guild_id": GUILD_ID,
            "parent_id": parent, "owner_id": APP_ID, "name": payload.get("name", "thread"),
            "last_message_id": None, "member_count": 1, "message_count": 0,
            "rate_limit_per_user": 0, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                "archive_timestamp": now_iso(), "locked": False,
                                "invitable": bool(payload.get("invitable", False))},
        }  # fmt: skip
        self.threads[thread["id"]] = thread
        await self._record(Sent("thread", parent, payload))
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    # --- CDN -----------------------------------------------------------------------------

    async def _cdn(self, request: web.Request) -> web.Response:
        url = f"http://127.0.0.1:{self.port}{request.path}"
        if url not in self.files:
            return web.Response(status=404)
        async with self._changed:
            self.downloads.append(url)
            self._changed.notify_all()
        return web.Response(body=self.files[url], content_type="application/octet-stream")

    # --- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame.get("op") == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif frame.get("op") == 2:
                    await self._identify(ws, frame["d"])
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        ready = {
            "v": 10, "user": BOT_USER, "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": secrets.token_hex(8), "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0}, "private_channels": [],
            "shard": data.get("shard", [0, 1]),
        }  # fmt: skip
        self._sockets.append(ws)
        for event, payload in (("READY", ready), ("GUILD_CREATE", guild())):
            frame = {"op": 0, "t": event, "s": next(self._seq), "d": payload}
            await ws.send_str(json.dumps(frame))
        async with self._changed:
            self.identified += 1
            self._changed.notify_all()


# --- payload builders ----------------------------------------------------------------------


def _application() -> dict[str, Any]:
    return {
        "id": APP_ID, "name": "Coach", "icon": None, "description": "", "bot_public": True,
        "bot_require_code_grant": False, "verify_key": "00", "owner": person("1"), "flags": 0,
        "team": None, "summary": "", "rpc_origins": [],
    }  # fmt: skip


def guild() -> dict[str, Any]:
    def text_channel(channel_id: str, name: str, position: int) -> dict[str, Any]:
        return {"id": channel_id, "type": 0, "guild_id": GUILD_ID, "name": name,
                "position": position, "permission_overwrites": [], "nsfw": False,
                "parent_id": None, "topic": None, "last_message_id": None,
                "rate_limit_per_user": 0}  # fmt: skip

    everyone = {"id": GUILD_ID, "name": "@everyone", "permissions": str((1 << 45) - 1),
                "position": 0, "color": 0, "hoist": False, "managed": False,
                "mentionable": False}  # fmt: skip
    me = {"user": BOT_USER, "roles": [], "joined_at": now_iso(), "deaf": False, "mute": False,
          "flags": 0}  # fmt: skip
    return {
        "id": GUILD_ID, "name": "Practice server", "icon": None, "owner_id": "1",
        "unavailable": False, "member_count": 2, "large": False, "roles": [everyone],
        "emojis": [], "stickers": [], "features": [], "members": [me], "voice_states": [],
        "presences": [], "threads": [], "stage_instances": [], "guild_scheduled_events": [],
        "channels": [text_channel(PRACTICE_CHANNEL, "practice", 0),
                     text_channel(GENERAL_CHANNEL, "general", 1)],
        "joined_at": now_iso(), "premium_tier": 0, "preferred_locale": "en-US",
        "afk_channel_id": None, "system_channel_id": None, "verification_level": 0,
        "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
        "nsfw_level": 0, "application_id": None,
    }  # fmt: skip


def _member(user_id: str, permissions: int) -> dict[str, Any]:
    return {"user": person(user_id), "roles": [], "joined_at": now_iso(), "deaf": False,
            "mute": False, "flags": 0, "permissions": str(permissions)}  # fmt: skip


_token_channels: dict[str, str] = {}


def token_channel(token: str) -> str:
    """The channel an interaction (by its token) happened in."""
    return _token_channels.get(token, GENERAL_CHANNEL)


def _where(interaction: dict[str, Any], user_id: str, channel: str, *, dm: bool,
           admin: bool) -> None:  # fmt: skip
    interaction["channel_id"] = channel
    if dm:
        interaction["user"] = person(user_id)
        interaction["channel"] = {"id": channel, "type": 1, "recipients": [person(user_id)]}
        interaction["context"] = 1
    else:
        interaction["guild_id"] = GUILD_ID
        interaction["member"] = _member(user_id, MANAGE_GUILD if admin else 0)
        interaction["channel"] = {"id": channel, "type": 0, "guild_id": GUILD_ID,
                                  "name": "channel", "position": 0}  # fmt: skip
        interaction["context"] = 0


def command(
    name: str, user_id: str, *, channel: str = PRACTICE_CHANNEL, dm: bool = False,
    options: list[dict[str, Any]] | None = None, admin: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """An INTERACTION_CREATE for a slash command (type 2); options are name/value pairs."""
    token = "itok-" + secrets.token_hex(8)
    _token_channels[token] = channel
    data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1, "options": options or []}
    if not dm:
        data["guild_id"] = GUILD_ID
    interaction: dict[str, Any] = {
        "id": snowflake(), "application_id": APP_ID, "type": 2, "token": token, "version": 1,
        "data": data, "locale": "en-US", "app_permissions": str((1 << 45) - 1),
        "entitlements": [], "authorizing_integration_owners": {"0": GUILD_ID},
        "attachment_size_limit": 10 * 1024 * 1024,
    }  # fmt: skip
    _where(interaction, user_id, channel, dm=dm, admin=admin)
    return interaction


def string_options(**values: str) -> list[dict[str, Any]]:
    return [{"name": k, "type": 3, "value": v} for k, v in values.items()]


def button_press(custom_id: str, user_id: str, *, channel: str, dm: bool) -> dict[str, Any]:
    """An INTERACTION_CREATE for a button (type 3) on a message the bot sent."""
    token = "itok-" + secrets.token_hex(8)
    _token_channels[token] = channel
    message = _message(channel, {"content": "(buttons)"}, [])
    interaction: dict[str, Any] = {
        "id": snowflake(), "application_id": APP_ID, "type": 3, "token": token, "version": 1,
        "data": {"custom_id": custom_id, "component_type": 2}, "message": message,
        "locale": "en-US", "app_permissions": "0", "entitlements": [],
        "authorizing_integration_owners": {}, "attachment_size_limit": 10 * 1024 * 1024,
    }  # fmt: skip
    _where(interaction, user_id, channel, dm=dm, admin=False)
    return interaction


def message(
    user_id: str, channel: str, *, content: str = "", guild_id: str | None = None,
    attachments: list[dict[str, Any]] | None = None, flags: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """A MESSAGE_CREATE from a person."""
    data: dict[str, Any] = {
        "id": snowflake(), "channel_id": channel, "author": person(user_id), "content": content,
        "timestamp": now_iso(), "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [],
        "attachments": attachments or [], "embeds": [], "pinned": False, "type": 0,
        "flags": flags,
    }  # fmt: skip
    if guild_id is not None:
        data["guild_id"] = guild_id
        data["member"] = {k: v for k, v in _member(user_id, 0).items() if k != "user"}
    return data


def voice_attachment(url: str, size: int, duration_s: float) -> dict[str, Any]:
    return {"id": snowflake(), "filename": "voice-message.ogg", "size": size, "url": url,
            "proxy_url": url, "content_type": "audio/ogg", "duration_secs": duration_s,
            "waveform": "AAAA"}  # fmt: skip


def _message(
    channel: str, payload: dict[str, Any], files: list[Any], message_id: str | None = None
) -> dict[str, Any]:
    attachments = [
        {"id": snowflake(), "filename": name, "size": len(data), "url": "", "proxy_url": ""}
        for name, data, _ in files
    ]  # fmt: skip
    return {
        "id": message_id or snowflake(), "channel_id": channel, "author": BOT_USER,
        "content": payload.get("content") or "", "timestamp": now_iso(),
        "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
        "mention_roles": [], "attachments": attachments, "embeds": [], "pinned": False,
        "type": 0, "flags": int(payload.get("flags") or 0),
        "components": payload.get("components") or [],
    }  # fmt: skip


def _route_name(parts: list[str]) -> str:
    """A path without ids: channels/123/messages -> channels/messages."""
    return "/".join(p for p in parts if not p.isdigit() and not p.startswith("itok-"))


async def _read_body(request: web.Request) -> tuple[dict[str, Any], list[tuple[str, bytes, str]]]:
    files: list[tuple[str, bytes, str]] = []
    if request.content_type == "multipart/form-data":
        payload: dict[str, Any] = {}
        reader = await request.multipart()
        async for part in reader:
            data = bytes(await part.read())  # type: ignore[union-attr]
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload = json.loads(data)
            else:
                filename = part.filename or ""  # type: ignore[union-attr]
                kind = part.headers.get("Content-Type", "")  # type: ignore[union-attr]
                files.append((filename, data, kind))
        return payload, files
    if request.can_read_body:
        body = await request.json()
        return (body if isinstance(body, dict) else {"items": body}), files
    return {}, files


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json (no charset)
    return web.Response(
        body=json.dumps(body).encode(), status=status, headers=headers,
        content_type="application/json",
    )  # fmt: skip
