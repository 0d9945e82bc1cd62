"""Which ``Host`` headers the preview answers: the names of the addresses it serves.

A page on another site can have its own name resolve to 127.0.0.1 (DNS rebinding) and then
read the preview as if it were that site; its requests still carry that name in ``Host``,
so only loopback names (``localhost``, ``*.localhost``, ``127.0.0.1``, ``[::1]``) on the
server's port are answered, plus the ``--host`` given (any IP address and this machine's name
when that is every interface: 0.0.0.0 or ::). An IP address cannot be rebound, a name can.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

WILDCARDS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class AllowedHosts:
    names: frozenset[str]  # besides the loopback names
    any_address: bool  # every IP address (serving every interface)

    @classmethod
    def serving(cls, host: str) -> AllowedHosts:
        """The names of what ``--host`` binds."""
        bound = _bare(host.lower())
        if bound in WILDCARDS:
            machine = socket.gethostname().lower()
            return cls(frozenset({machine, f"{machine}.local"} - {""}), True)
        return cls(frozenset({bound}), False)

    def allows(self, header: str | None, port: int) -> bool:
        if header is None:
            return True  # an HTTP/1.0 client without Host is not a browser
        name, asked_port = split_host(header)
        if name is None or asked_port != port:
            return False
        if name == "localhost" or name.endswith(".localhost") or name in self.names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return self.any_address or address.is_loopback

    def refusal(self, header: str | None, port: int) -> str:
        """What a refused request is told."""
        shown = "".join(c if c.isprintable() else "?" for c in (header or ""))[:200]
        return (
            f"403 Forbidden: this preview answers only to localhost:{port} (or 127.0.0.1:{port}, "
            f"[::1]:{port}), not to {shown!r}.\n"
            f"Open http://localhost:{port}/ instead. Another name is refused so that no other web "
            f"site can read the preview through it (DNS rebinding); start the server with "
            f"--host NAME to serve under that name.\n"
        )


def split_host(header: str) -> tuple[str | None, int]:
    """A ``Host`` header's name (lower case, without a trailing dot) and port (80 if none)."""
    header = header.strip().lower()
    port = "80"
    if header.startswith("["):
        end = header.find("]")
        if end < 0:
            return None, 0
        name, rest = header[1:end], header[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None, 0
            port = rest[1:]
    elif ":" in header:
        name, _, port = header.rpartition(":")
    else:
        name = header
    if not (port.isascii() and port.isdigit()) or not name or any(c in name for c in "/@ ?#\\"):
        return None, 0
    return name.rstrip("."), int(port)


def address_family(host: str) -> socket.AddressFamily:
    """IPv6 for an IPv6 address (``::1``, ``::``, with or without brackets), else IPv4 (a name
    such as ``localhost`` is bound through its IPv4 address, as before)."""
    try:
        return socket.AF_INET6 if ipaddress.ip_address(_bare(host)).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def url_host(bound: str) -> str:
    """How the printed URL names the address bound: ``localhost`` for the IPv4 loopback and for
    every interface (both answer there), an IPv6 address in brackets, anything else as it is."""
    bare = _bare(bound)
    if bare in ("127.0.0.1", *WILDCARDS):
        return "localhost"
    return f"[{bare}]" if address_family(bare) == socket.AF_INET6 else bare


def _bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host
