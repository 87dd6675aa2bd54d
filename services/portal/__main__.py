"""The portal process: python -m services.portal.

OGI_PORTAL_LISTEN (else OGI_LISTEN, else 127.0.0.1:8090); OGI_INTAKE_ADDRESS (intake's gRPC
address, default 127.0.0.1:50051); OGI_PORTAL_FORWARDED_ALLOW_IPS, the proxies whose
X-Forwarded-For is believed (default 127.0.0.1; in a cluster the pod network, never "*", which
would believe whatever address a client writes in the header). Intake must list the portal in
OGI_TRUSTED_PROXIES to count guesses by the applicant's address rather than the portal's."""

from __future__ import annotations

import os

import uvicorn

from ogi.logs import configure_logging
from services.portal.app import create_app
from services.portal.gateway import IntakeGateway

DEFAULT_LISTEN = "127.0.0.1:8090"


def main() -> None:
    configure_logging("portal", os.environ.get("OGI_LOG_LEVEL", "INFO"))
    listen = os.environ.get("OGI_PORTAL_LISTEN") or os.environ.get("OGI_LISTEN") or DEFAULT_LISTEN
    host, _, port = listen.rpartition(":")
    app = create_app(IntakeGateway(os.environ.get("OGI_INTAKE_ADDRESS", "127.0.0.1:50051")))
    uvicorn.run(
        app,
        host=host.strip("[]"),
        port=int(port),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("OGI_PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        access_log=False,  # the portal logs each request itself, without the client's address
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
