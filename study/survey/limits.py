"""A request-body size limit, as plain ASGI middleware (runs before any parsing).

Survey pages send a few kilobytes; anything far larger is refused with 413
before it reaches the form parser or the database.
"""

from __future__ import annotations

from study.survey.rendering import preferred_language, render_page, ui

DEFAULT_MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with ``413 Payload Too Large``.

    The body is read (up to the limit) and replayed to the app, so a client
    that lies in ``Content-Length`` or streams chunks is caught as well.
    """

    def __init__(self, app, max_bytes: int = DEFAULT_MAX_BODY_BYTES, languages=("en",)):
        self.app = app
        self.max_bytes = max_bytes
        self.languages = list(languages)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, send):
        """A page in the browser's language saying the answers were too long to send."""
        accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        lang = preferred_language(accept, self.languages)
        t = ui(lang)
        text = render_page(
            "message.html", lang=lang, t=t, title=f"{t['error_prefix']}: {t['error_heading']}",
            heading=t["error_heading"], body=t["too_large"].format(max_bytes=self.max_bytes),
            body_markdown=None, preview=False, back_link="/",
        ).encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(text)).encode()),
                        (b"cache-control", b"no-store"),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": text})


class SecurityHeaders:
    """Add no-sniff, no-framing and same-origin referrer headers to every response."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    ]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + self.HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)
