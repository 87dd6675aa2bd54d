"""`python -m services.console`: the console on OGI_CONSOLE_LISTEN (default 127.0.0.1:8080)."""

from __future__ import annotations

import os

import uvicorn

from ogi.logs import configure_logging
from ogi.ports import host_and_port
from services.console.app import create_app
from services.console.settings import load_console_settings


def main() -> None:
    configure_logging("console", os.environ.get("OGI_LOG_LEVEL", "INFO"))
    settings = load_console_settings()
    host, port = host_and_port(settings.listen)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # uvicorn's access log prints query strings (a search by name, an OIDC code): off; the
        # app logs one line per request itself.
        access_log=False,
        log_config=None,
        proxy_headers=True,
        # Whose X-Forwarded-For to believe (the ingress's addresses): the sign-in throttle
        # counts by the client's address.
        forwarded_allow_ips=os.environ.get("OGI_CONSOLE_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
