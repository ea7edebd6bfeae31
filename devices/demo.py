"""Demo devices for the embedded default (README lists them), walked through the real maker-checker
steps so each has a true history: `da001` registers and asks, `bm001` / `bm101` approve the binds,
`sec001` approves the activations.

The device ids have the shape of the web pages' device cookie (`fb_device`, `web-` + 16 hex), so a
browser whose cookie carries one of them is that tablet to the device gate when it comes.
"""

from __future__ import annotations

from datetime import date

from devices.administration import DeviceAdministration
from devices.registration import Peripherals, Registration
from devices.risk_profiles import DeviceIdentity
from engine.errors import Conflict
from engine.people.demo import STAFF, branch_path
from engine.views import Actor

# device id, asset no, serial, IMEI, holder, backup holder (None: left in inventory, REGISTERED)
DEVICES = [
    ("web-0000000000000001", "WH0101-PAD-000001", "HWMP11-DEMO-0001", "867231051234568", "fo001", "fo002"),
    ("web-0000000000000002", "WH0101-PAD-000002", "HWMP11-DEMO-0002", "867231051234576", "fo002", "fo001"),
    ("web-0000000000000003", "WH0102-PAD-000001", "HWMP11-DEMO-0003", "867231051234584", "fo101", None),
    ("web-0000000000000004", "WH0101-PAD-000003", "HWMP11-DEMO-0004", "867231051234592", None, None),
    ("web-0000000000000005", "WH0101-PAD-000004", "HWMP11-DEMO-0005", "867231051234600", "so001", None),
]
DEMO_DEVICE_OF = {holder: device_id for device_id, *_rest, holder, _backup in reversed(DEVICES) if holder}
"""Each demo tablet officer's primary device: what drivers and tests sign them in with."""
_MANAGER_OF = {"WH0101": "bm001", "WH0102": "bm101"}


def demo_actor(staff_id: str) -> Actor:
    _id, name, branch, roles = next(s for s in STAFF if s[0] == staff_id)
    return Actor(staff_id, name, frozenset(roles), branch, branch_path(branch))


def seed_demo_devices(admin: DeviceAdministration) -> int:
    """Idempotent: a device whose asset number is taken is left as it is. Returns how many it added."""
    added = 0
    for number, (device_id, asset_no, serial, imei, holder, backup) in enumerate(DEVICES, start=1):
        try:
            provision_tablet(admin, number, device_id, holder, backup, asset_no, serial, imei)
        except Conflict:
            continue
        added += 1
    return added


def provision_tablet(
    admin: DeviceAdministration,
    number: int,
    device_id: str,
    holder: str | None,
    backup: str | None = None,
    asset_no: str | None = None,
    serial: str | None = None,
    imei: str | None = None,
    branch: str = "WH0101",
) -> None:
    """Register a tablet and (with a holder) bind and activate it, each step approved by a second
    person; `number` (1–255) makes its serials unique. Tests use it for tablets beyond the demo ones."""
    asset_no = asset_no or f"{branch}-PAD-{900000 + number}"
    serial = serial or f"HWMP11-TEST-{number:04d}"
    branch = asset_no.split("-")[0]
    registrar, security = demo_actor("da001"), demo_actor("sec001")
    admin.register(registrar, _registration(number, device_id, asset_no, serial, imei, branch))
    if holder is None:
        return
    bind = {"branch_code": branch, "holder_id": holder, **({"backup_holder_id": backup} if backup else {})}
    change = admin.request(registrar, device_id, "bind", bind, "演示：绑定外拓平板")
    admin.decide(demo_actor(_MANAGER_OF[branch]), change.change_id, True, "演示：同意绑定")
    change = admin.request(registrar, device_id, "activate", {}, "演示：启用")
    admin.decide(security, change.change_id, True, "演示：同意启用")


def _registration(
    number: int, device_id: str, asset_no: str, serial: str, imei: str | None, branch: str
) -> Registration:
    return Registration(
        asset_no=asset_no,
        model="Huawei MatePad 11 (outreach kit)",
        serial=serial,
        wifi_mac=f"A4:5E:60:00:00:{number:02X}",
        os_version="HarmonyOS 4.2",
        purchase_date=date(2026, 3, 1),
        branch_code=branch,
        imei=imei,
        secure_element_serial=f"SETF-DEMO-{number:04d}",
        peripherals=Peripherals(
            id_reader_serial=f"IDR-DEMO-{number:04d}",
            sam_id=f"05.01-20260301-{number:010d}",
            pin_pad_serial=f"PIN-DEMO-{number:04d}",
            signature_device_serial=f"SIG-DEMO-{number:04d}",
        ),
        device_id=device_id,
    )


def demo_identity(device_id: str) -> DeviceIdentity:
    """What a demo tablet reports about itself (the sandbox device agent's clean profile)."""
    for number, (known, _asset, serial, imei, _holder, _backup) in enumerate(DEVICES, start=1):
        if known == device_id:
            return DeviceIdentity(serial, f"SETF-DEMO-{number:04d}", imei)
    raise KeyError(device_id)
