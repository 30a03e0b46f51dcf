"""Program checks: the chassis on site is the one the checklist declared, is not on compliance
hold, and has license proof on file.

A chassis that is not the one declared is not failed: the program inspects what an accurate
checklist declares, "or the inspection cannot be done". Its record says so (verdict ERROR, its
reason opening `not inspected: the inspection cannot be done`), whatever else was found.

They judge the identity facts against the host's `context` (its checklist row and the hold
list), which the evaluator passes to checks that take it. Without a context (an offline
evaluation of saved outputs, a host no checklist declared) they do not apply: SKIP, never PASS.
"""

from __future__ import annotations

import re
from typing import Any

from checks.common import InventoryItem
from checks.identity import INVENTORY, VERSION, chassis_identity, readable, same_product
from inspector.catalogue import check
from inspector.checklist import field_problem
from inspector.models import DECLARED_CHASSIS, Domain, Evidence, Outcome, Severity
from inspector.policy import Policy
from inspector.program import HostContext

_NO_CHECKLIST = "no pre-inspection checklist declares this chassis"


def _xr_without_chassis(version: dict[str, Any], inventory: list[InventoryItem]) -> bool:
    """Classic IOS-XR lists its chassis only in `admin show inventory`: the identity then
    stands on the first entry, a route processor, which no declaration would match."""
    if version.get("os") != "IOS-XR":
        return False
    return not any("chassis" in f"{item.name} {item.descr}".lower()
                   or re.fullmatch(r"rack \d+", item.name.strip().lower()) for item in inventory)


@check(
    id="prog.declared.identity",
    title="The chassis is the one the checklist declares (PID and serial number)",
    domain=Domain.PROGRAM,
    severity=Severity.CRITICAL,
    facts=[VERSION, INVENTORY],
    never_fails=True,  # another chassis than declared is not inspected, not failed
)
def declared_identity(
    version: dict[str, Any], inventory: list[InventoryItem], policy: Policy,
    context: HostContext | None = None,
) -> Outcome:
    if context is None or context.declaration is None:
        return Outcome.skipped(_NO_CHECKLIST)
    declared = context.declaration
    # An incomplete checklist is not the chassis's fault, and nothing can be compared: ERROR.
    missing = [f for f in ("declared_pid", "declared_serial") if not getattr(declared, f)]
    if missing:
        return Outcome.error(f"checklist incomplete: {' and '.join(missing)} not given")
    if _xr_without_chassis(version, inventory):
        return Outcome.error("`show inventory` lists no chassis entry on this IOS-XR: its PID "
                             "and serial cannot be compared with the checklist")
    found = chassis_identity(version=version, inventory=inventory, policy=policy).identity or {}
    unreadable = [f for f in ("pid", "serial") if not readable(found.get(f))]
    if unreadable:  # hw.chassis.identity fails the chassis for this; here we cannot tell
        return Outcome.error(f"the chassis {' and '.join(unreadable)} could not be read")
    pid, serial = str(found["pid"]), str(found["serial"])
    evidence = [
        Evidence(path="inventory/chassis/pid", expected=declared.declared_pid, actual=pid),
        Evidence(path="inventory/chassis/serial", expected=declared.declared_serial,
                 actual=serial),
    ]
    wrong = []
    if not same_product(declared.declared_pid, pid):
        wrong.append(f"PID {declared.declared_pid} declared, chassis is {pid}")
    if declared.declared_serial.strip().upper() != serial.strip().upper():
        wrong.append(f"serial {declared.declared_serial} declared, chassis has {serial}")
    if wrong:
        # Not a failed inspection: the program asks an accurate checklist "or the inspection
        # cannot be done", and what was read here is another chassis than the one ordered.
        return Outcome.error(
            "the inspection cannot be done: the checklist is inaccurate: " + "; ".join(wrong),
            [*evidence, Evidence(path=DECLARED_CHASSIS,
                                 expected=f"{declared.declared_pid} {declared.declared_serial}",
                                 actual=f"{pid} {serial}")])
    return Outcome.passed(f"{pid} serial {serial} as the checklist declares", evidence)


@check(
    id="prog.hold.list",
    title="No serial number of the chassis is on compliance hold",
    domain=Domain.PROGRAM,
    severity=Severity.CRITICAL,
    facts=[VERSION, INVENTORY],
)
def hold_list(
    version: dict[str, Any], inventory: list[InventoryItem], policy: Policy,
    context: HostContext | None = None,
) -> Outcome:
    if context is None or context.hold_list is None:
        return Outcome.skipped("no hold list was given for this run")
    found = chassis_identity(version=version, inventory=inventory, policy=policy).identity or {}
    if not readable(found.get("serial")):
        return Outcome.error("the chassis serial number could not be read")
    # Every serial the chassis reports (a held module flags its chassis too) and the declared
    # one, which matters when the checklist names another chassis.
    serials = {str(found["serial"]): "chassis"}
    serials.update({item.serial: item.name for item in inventory if readable(item.serial)})
    if context.declaration and context.declaration.declared_serial:
        serials.setdefault(context.declaration.declared_serial, "declared in the checklist")
    held = [
        Evidence(path=f"inventory/{where}/serial", expected="not on hold", actual=serial)
        for serial, where in serials.items()
        if serial.strip().upper() in context.hold_list
    ]
    if held:
        names = ", ".join(str(e.actual) for e in held)
        return Outcome.failed(f"on compliance hold: serial {names}", held)
    return Outcome.passed(
        f"none of {len(serials)} serial number{'s' if len(serials) != 1 else ''} is on the hold "
        f"list ({len(context.hold_list)} held)"
    )


@check(
    id="prog.license.proof",
    title="Proof of a valid software license is on file",
    domain=Domain.PROGRAM,
    # Reported, never failing the inspection: a chassis without proof passes or fails on its
    # own merits and only its support eligibility waits for the proof (program section).
    severity=Severity.INFO,
)
def license_proof(policy: Policy, context: HostContext | None = None) -> Outcome:
    if context is None or context.declaration is None:
        return Outcome.skipped(_NO_CHECKLIST)
    proof = context.declaration.license_proof
    problem = field_problem("license_proof", proof)
    if problem:  # "TBD", "N/A": someone wrote something, but not proof we could check
        return Outcome.error(f"cannot tell whether there is license proof: {problem}")
    if not proof:
        return Outcome.failed(
            "no license proof: a sales order number of the standalone license or an authorized "
            "reseller's receipt detailing it is needed before support",
            [Evidence(path="checklist/license_proof", expected="given", actual=None)],
        )
    return Outcome.passed(f"license proof {proof}",
                          [Evidence(path="checklist/license_proof", actual=proof)])
