"""A lab of mock Cisco chassis served over SSH on 127.0.0.1, for testing the inspector.

Public API: `plan_lab`, `start`, `running_lab`, `serve_forever`, `write_inventory`,
`render_output`, `expected_verdict`, `ChassisSpec`, `Lab` (with `Lab.set_scenario`),
`plan_captures` for saved outputs served as chassis, and `load_profiles` / `get_profile` for
the templates themselves.
"""

from .captures import CaptureError, capture_profile, plan_captures
from .lab import (
    LAB_HOST,
    LAB_PASSWORD,
    LAB_SECRET,
    LAB_USERNAME,
    ChassisSpec,
    Lab,
    expected_verdict,
    inventory_data,
    plan_lab,
    render_output,
    running_lab,
    serve_forever,
    start,
    write_inventory,
)
from .profiles import HEALTHY, Profile, Scenario, command_slug, get_profile, load_profiles
from .server import CommandRecord, Latency

__all__ = [
    "HEALTHY",
    "LAB_HOST",
    "LAB_PASSWORD",
    "LAB_SECRET",
    "LAB_USERNAME",
    "CaptureError",
    "ChassisSpec",
    "CommandRecord",
    "Lab",
    "Latency",
    "Profile",
    "Scenario",
    "capture_profile",
    "command_slug",
    "expected_verdict",
    "get_profile",
    "inventory_data",
    "load_profiles",
    "plan_captures",
    "plan_lab",
    "render_output",
    "running_lab",
    "serve_forever",
    "start",
    "write_inventory",
]
