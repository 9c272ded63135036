"""The survey app built from environment variables, for uvicorn worker processes.

``replylab serve --workers N`` (N > 1) starts uvicorn with
``study.survey.asgi:app_from_environment`` as an app factory; each worker
builds its own app (one engine and pool per process) from

- ``REPLYLAB_SERVE_STUDY``: the study name or file,
- ``REPLYLAB_SERVE_DB``: the database URL (empty: the SQLite default),
- ``REPLYLAB_ADMIN_TOKEN``: the admin token (the same in every worker),
- ``REPLYLAB_SERVE_SECURE_COOKIES`` / ``REPLYLAB_SERVE_STORE_IP``: ``1`` to switch on.

The proxy options (``--proxy-headers``, ``--forwarded-allow-ips``) and
``--shutdown-timeout`` are not the app's but uvicorn's: its supervisor hands
them to every worker, so they need no variable here.
"""

from __future__ import annotations

import os

from study.survey.app import create_app


def app_from_environment():
    """A survey app configured by the ``REPLYLAB_SERVE_*`` environment variables."""
    return create_app(
        os.environ["REPLYLAB_SERVE_STUDY"],
        os.environ.get("REPLYLAB_SERVE_DB") or None,
        admin_token=os.environ["REPLYLAB_ADMIN_TOKEN"],
        secure_cookies=os.environ.get("REPLYLAB_SERVE_SECURE_COOKIES") == "1",
        store_ip=os.environ.get("REPLYLAB_SERVE_STORE_IP") == "1",
    )
