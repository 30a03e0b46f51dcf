"""A small NetBox REST API on 127.0.0.1, for driving the real nornir_netbox plugin in tests.

It answers what NetBoxInventory2 asks for: `GET /api/dcim/devices/` with a token, its filter
parameters and NetBox's limit/offset pagination (`limit=0` is the server's page size, and
`next` is an absolute URL). A device is what NetBox 4 returns: brief nested objects (the
device type carries no part number), `status` as value and label, custom fields by name."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "0b5a9c2e4f7d1a3b6c8e0f2a4b6d8e0f1a3c5e7b"
PAGE_SIZE = 2  # small, so three devices take two pages
# The device list's filters this server knows, each a path into a device.
FILTERS = {"status": ("status", "value"), "site": ("site", "slug"),
           "platform": ("platform", "slug"), "role": ("role", "slug")}


def _brief(kind: str, pk: int, name: str, slug: str) -> dict[str, Any]:
    return {"id": pk, "url": f"/api/dcim/{kind}/{pk}/", "display": name, "name": name,
            "slug": slug, "description": ""}


def device(pk: int, name: str, *, address: str, platform: str, site: str, model: str,
           serial: str, status: str = "active", **custom: Any) -> dict[str, Any]:
    """A device as `GET /api/dcim/devices/` lists it."""
    cisco = _brief("manufacturers", 1, "Cisco", "cisco")
    return {
        "id": pk, "url": f"/api/dcim/devices/{pk}/", "display": name, "name": name,
        "device_type": {"id": pk, "url": f"/api/dcim/device-types/{pk}/", "display": model,
                        "manufacturer": cisco, "model": model,
                        "slug": model.lower().replace(" ", "-"), "description": ""},
        "role": _brief("device-roles", 1, "Access", "access"),
        "tenant": None,
        "platform": _brief("platforms", pk, platform.upper(), platform),
        "serial": serial, "asset_tag": None,
        "site": _brief("sites", pk, site.upper(), site),
        "location": None, "rack": None, "position": None, "face": None,
        "status": {"value": status, "label": status.capitalize()},
        "primary_ip": {"id": pk, "url": f"/api/ipam/ip-addresses/{pk}/",
                       "display": f"{address}/8", "family": {"value": 4, "label": "IPv4"},
                       "address": f"{address}/8", "description": ""},
        "primary_ip4": None, "primary_ip6": None, "oob_ip": None,
        "config_context": {}, "comments": "", "tags": [],
        "custom_fields": {"country": None, "condition": None, "declared_pid": None,
                          "license_proof": None, **custom},
        "created": "2026-11-02T09:14:05.120931Z", "last_updated": "2026-11-02T09:14:05.120944Z",
    }


@dataclass
class NetBox:
    devices: list[dict[str, Any]]
    url: str = ""
    requests: list[str] = field(default_factory=list)  # every path and query asked for


def _matches(item: dict[str, Any], query: dict[str, list[str]]) -> bool:
    for key, wanted in query.items():
        node: Any = item
        for hop in FILTERS[key]:
            node = node.get(hop) if isinstance(node, dict) else None
        if node not in wanted:
            return False
    return True


@contextmanager
def serving(devices: list[dict[str, Any]]) -> Iterator[NetBox]:
    """Serve `devices` on 127.0.0.1 from a thread for a `with` block."""
    netbox = NetBox(devices)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            netbox.requests.append(self.path)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self._send(403, {"detail": "Invalid token"})
            if parts.path != "/api/dcim/devices/":
                return self._send(404, {"detail": "Not found."})
            limit = int(query.pop("limit", ["0"])[0]) or PAGE_SIZE
            offset = int(query.pop("offset", ["0"])[0])
            unknown = set(query) - set(FILTERS)
            if unknown:
                return self._send(400, {sorted(unknown)[0]: ["Unknown filter."]})
            found = [d for d in netbox.devices if _matches(d, query)]
            following = None
            if offset + limit < len(found):
                rest = {**{k: v[0] for k, v in query.items()},
                        "limit": limit, "offset": offset + limit}
                following = f"{netbox.url}{parts.path}?{urlencode(rest)}"
            self._send(200, {"count": len(found), "next": following, "previous": None,
                             "results": found[offset:offset + limit]})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the requests are kept in `netbox.requests`

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    netbox.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="netbox", daemon=True)
    thread.start()
    try:
        yield netbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
