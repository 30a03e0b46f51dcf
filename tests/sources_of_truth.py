"""A small NetBox or Nautobot REST API on 127.0.0.1, for driving the real nornir_netbox and
nornir_nautobot plugins in tests.

It answers what their inventory plugins ask for: `GET /api/dcim/devices/` with a token, filter
parameters and the limit/offset pagination both share (no `limit` or `limit=0` is the server's
page size; `next` is an absolute URL). A NetBox device is what NetBox 4 lists: brief nested
objects (the device type carries no part number), `status` as value and label, custom fields
by name. A Nautobot device is what Nautobot 2 lists at `depth=1` (what pynautobot asks for):
nested objects in full one level down, a location instead of a site, the platform's
`network_driver`, `status` a Status object."""

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
# The device list's filters each server knows, each a path into a device.
NETBOX_FILTERS = {"status": ("status", "value"), "site": ("site", "slug"),
                  "platform": ("platform", "slug"), "role": ("role", "slug")}
NAUTOBOT_FILTERS = {"status": ("status", "name"), "location": ("location", "name"),
                    "platform": ("platform", "name"), "role": ("role", "name")}
# Parameters that shape the answer rather than filter it (pynautobot sends `depth=1`).
_SHAPING = {"limit", "offset", "depth"}


def _brief(kind: str, pk: int, name: str, slug: str) -> dict[str, Any]:
    return {"id": pk, "url": f"/api/dcim/{kind}/{pk}/", "display": name, "name": name,
            "slug": slug, "description": ""}


def netbox_device(pk: int, name: str, *, address: str, platform: str, site: str, model: str,
           serial: str, status: str = "active", **custom: Any) -> dict[str, Any]:
    """A device as NetBox's `GET /api/dcim/devices/` lists it."""
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


def _ref(kind: str, pk: int, url: str) -> dict[str, Any]:
    """A nested object two levels down at `depth=1`: a reference only."""
    return {"id": f"00000000-0000-4000-8000-{pk:012d}", "object_type": kind,
            "url": f"{url}/{pk}/"}


def nautobot_device(pk: int, name: str, *, address: str, driver: str, location: str,
                    model: str, part_number: str, serial: str, status: str = "Active",
                    **custom: Any) -> dict[str, Any]:
    """A device as Nautobot's `GET /api/dcim/devices/?depth=1` lists it."""
    base = "/api/dcim"
    cisco = _ref("dcim.manufacturer", 1, f"{base}/manufacturers")
    return {
        **_ref("dcim.device", pk, f"{base}/devices"), "display": name, "name": name,
        "natural_slug": f"{name}_{pk}",
        "device_type": {**_ref("dcim.devicetype", pk, f"{base}/device-types"),
                        "display": f"Cisco {model}", "model": model,
                        "part_number": part_number, "manufacturer": cisco,
                        "u_height": 1, "is_full_depth": True},
        "status": {**_ref("extras.status", 1, "/api/extras/statuses"), "display": status,
                   "name": status, "color": "4caf50"},
        "role": {**_ref("extras.role", 1, "/api/extras/roles"), "display": "Access",
                 "name": "Access"},
        "platform": {**_ref("dcim.platform", pk, f"{base}/platforms"), "display": driver,
                     "name": driver, "network_driver": driver, "napalm_driver": "",
                     "manufacturer": cisco},
        "location": {**_ref("dcim.location", pk, f"{base}/locations"), "display": location,
                     "name": location, "location_type": _ref("dcim.locationtype", 1,
                                                             f"{base}/location-types")},
        "serial": serial, "asset_tag": None, "tenant": None, "rack": None,
        "primary_ip4": {**_ref("ipam.ipaddress", pk, "/api/ipam/ip-addresses"),
                        "display": f"{address}/24", "address": f"{address}/24",
                        "host": address, "mask_length": 24, "ip_version": 4},
        "primary_ip6": None, "secrets_group": None, "comments": "", "tags": [],
        "custom_fields": {"country": None, "condition": None, "declared_pid": None,
                          "license_proof": None, **custom},
        "created": "2026-11-02T09:14:05.120931Z", "last_updated": "2026-11-02T09:14:05.120944Z",
    }


@dataclass
class Api:
    devices: list[dict[str, Any]]
    filters: dict[str, tuple[str, ...]]
    url: str = ""
    requests: list[str] = field(default_factory=list)  # every path and query asked for


def _matches(item: dict[str, Any], query: dict[str, list[str]],
             filters: dict[str, tuple[str, ...]]) -> bool:
    for key, wanted in query.items():
        node: Any = item
        for hop in filters[key]:
            node = node.get(hop) if isinstance(node, dict) else None
        if node not in wanted:
            return False
    return True


@contextmanager
def serving(devices: list[dict[str, Any]],
            filters: dict[str, tuple[str, ...]] = NETBOX_FILTERS) -> Iterator[Api]:
    """Serve `devices` on 127.0.0.1 from a thread for a `with` block."""
    api = Api(devices, filters)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            api.requests.append(self.path)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self._send(403, {"detail": "Invalid token"})
            if parts.path != "/api/dcim/devices/":
                return self._send(404, {"detail": "Not found."})
            limit = int(query.pop("limit", ["0"])[0]) or PAGE_SIZE
            offset = int(query.pop("offset", ["0"])[0])
            query = {k: v for k, v in query.items() if k not in _SHAPING}
            unknown = set(query) - set(api.filters)
            if unknown:
                return self._send(400, {sorted(unknown)[0]: ["Unknown filter."]})
            found = [d for d in api.devices if _matches(d, query, api.filters)]
            following = None
            if offset + limit < len(found):
                rest = {**{k: v[0] for k, v in parse_qs(parts.query).items()},
                        "limit": limit, "offset": offset + limit}
                following = f"{api.url}{parts.path}?{urlencode(rest)}"
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
            pass  # the requests are kept in `api.requests`

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="netbox", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
