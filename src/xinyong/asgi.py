"""Headers that every HTTP response of the service carries, added by a plain ASGI middleware
(Starlette's ``@app.middleware("http")`` runs each request through an extra task and a body
stream, which a check at the counter pays for on every call)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _encoded(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class Headers:
    """Add ``headers`` to every HTTP response, and ``signed_in`` as well to the answer to a
    request that carries an ``Authorization`` header; a header the response sets itself is
    kept as it is."""

    def __init__(
        self,
        app: ASGIApp,
        headers: Mapping[str, str],
        signed_in: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.headers = _encoded(headers)
        self.signed_in = self.headers + _encoded(signed_in or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorized = any(name == b"authorization" for name, _ in scope["headers"])
        extra = self.signed_in if authorized else self.headers

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message["headers"] = [
                    *message.get("headers", ()),
                    *((k, v) for k, v in extra if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, sending)
