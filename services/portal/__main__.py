"""The portal process: python -m services.portal.

OGI_PORTAL_LISTEN (default 127.0.0.1:8080), OGI_INTAKE_ADDRESS (intake's gRPC address, default
127.0.0.1:50051), OGI_PORTAL_FORWARDED_ALLOW_IPS (the proxies whose X-Forwarded-For is believed,
default 127.0.0.1; in a cluster the ingress controller's addresses, or "*" behind a network
policy that lets only the ingress in). Intake must list the portal in OGI_TRUSTED_PROXIES to count
guesses by the applicant's address rather than the portal's."""

from __future__ import annotations

import os

import uvicorn

from ogi.logs import configure_logging
from services.portal.app import create_app
from services.portal.gateway import IntakeGateway


def main() -> None:
    configure_logging("portal", os.environ.get("OGI_LOG_LEVEL", "INFO"))
    host, _, port = os.environ.get("OGI_PORTAL_LISTEN", "127.0.0.1:8080").rpartition(":")
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
