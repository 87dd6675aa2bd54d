"""Who is asking: the client address that guessing is counted by (services.intake.throttle).

A call from the portal comes from the portal's address, on behalf of the person whose address
the portal puts in the call's metadata (CLIENT_ADDRESS). That is believed only from a proxy the
deployment names (OGI_TRUSTED_PROXIES, a comma-separated list of addresses or networks); from
anyone else it is ignored, or any client could pick a new address for every guess."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CLIENT_ADDRESS = "ogi-client-address"
TRUSTED_PROXIES = "OGI_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> TrustedProxies:
        listed = [n.strip() for n in environ.get(TRUSTED_PROXIES, "").split(",") if n.strip()]
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in listed))

    def client(self, peer: str, metadata: Sequence[tuple[str, str | bytes]] | None) -> str:
        """The address guesses are counted by: the peer's (gRPC's "ipv4:1.2.3.4:5678" without
        the port), or, from a trusted proxy, the address it forwards when that is one."""
        address = _host(peer)
        if not self._trusted(address):
            return address
        forwarded = dict(metadata or ()).get(CLIENT_ADDRESS)
        if isinstance(forwarded, str):
            try:
                return str(ipaddress.ip_address(forwarded.strip()))
            except ValueError:
                pass
        return address

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def _host(peer: str) -> str:
    """'ipv4:127.0.0.1:5678' → '127.0.0.1', 'ipv6:[::1]:5678' → '::1'; others as they are
    without the port."""
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        return rest.rsplit(":", 1)[0].strip("[]")
    return peer.rsplit(":", 1)[0] if peer else "unknown"
