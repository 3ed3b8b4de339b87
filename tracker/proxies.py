"""Forwarded addresses believed only from the proxies the operator names."""

from __future__ import annotations

import ipaddress
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(setting: str) -> list[Network]:
    """TRUSTED_PROXIES ("127.0.0.0/8, ::1, 10.0.0.5") as networks; a bad entry is a start-up
    error that names it."""
    found = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise RuntimeError(f"TRACKER_TRUSTED_PROXIES: {entry!r} is not an address") from exc
    return found


class TrustedProxyFix(ProxyFix):
    """werkzeug's ProxyFix, applied only when the direct peer is a trusted proxy; from any
    other peer the X-Forwarded-* headers are ignored and the peer is the client."""

    def __init__(self, app: Any, trusted: str, **hops: int) -> None:
        super().__init__(app, **hops)
        self.trusted = networks(trusted)

    def is_trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.is_trusted(environ.get("REMOTE_ADDR")):
            return super().__call__(environ, start_response)
        return self.app(environ, start_response)
