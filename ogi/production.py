"""Production mode on one machine (`make run-prod`): every service as its own process against an
external PostgreSQL (one schema per service) and an external NATS, as on Kubernetes.

OGI_DATABASE_URL and OGI_NATS_URL say where they are. The cipher and token keys come from
OGI_CIPHER_KEY(_FILE) / OGI_TOKEN_KEY(_FILE); where neither is set, keys are created once under
the data folder and passed as files, so that a local run needs no set-up. On a cluster the keys
are Secrets (deploy/k8s)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ogi.config import ConfigError, key_file
from ogi.embedded import SERVICES, run_services


def local_key(variable: str, path: Path) -> dict[str, str]:
    """`variable`_FILE pointing at a key made once under the data folder, unless one is given."""
    if variable in os.environ or f"{variable}_FILE" in os.environ:
        return {}
    return {f"{variable}_FILE": str(key_file(path))}


def _shown(url: str) -> str:
    """The URL as printed: the password is not for the terminal's scroll-back."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def main() -> None:
    database_url = os.environ.get("OGI_DATABASE_URL", "")
    if not database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("set OGI_DATABASE_URL=postgresql://… (production mode uses PostgreSQL)")
    nats_url = os.environ.get("OGI_NATS_URL", "nats://127.0.0.1:4222")
    data_dir = Path(os.environ.get("OGI_DATA_DIR", "data/prod")).resolve()
    schemas = ", ".join(SERVICES)
    print(f"postgresql   {_shown(database_url)}  (schemas {schemas})", flush=True)
    print(f"nats         {nats_url}", flush=True)
    env = {"OGI_DATABASE_URL": database_url, "OGI_NATS_URL": nats_url}
    env |= local_key("OGI_CIPHER_KEY", data_dir / "cipher.key")
    env |= local_key("OGI_TOKEN_KEY", data_dir / "token.key")
    status = run_services(data_dir, env)
    print("stopped.", flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
