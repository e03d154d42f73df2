"""The demo's registers: locations, vendors, assets, parts (its PM schedules: `schedules.py`)."""

from models.enums import Criticality

# -- the registers ----------------------------------------------------------------------------------

SITE = "Northwind HQ"
NORTH, SOUTH = f"{SITE} / North Building", f"{SITE} / South Building"
LOCATIONS = {
    "reception": f"{NORTH} / Ground floor / Reception",
    "toilets": f"{NORTH} / Ground floor / Toilets",
    "kitchen": f"{NORTH} / 1st floor / Kitchen",
    "open_plan": f"{NORTH} / 1st floor / Open plan",
    "meeting": f"{NORTH} / 2nd floor / Meeting room 2.04",
    "print_room": f"{NORTH} / 2nd floor / Print room",
    "north_roof": f"{NORTH} / Roof",
    "plant": f"{NORTH} / Basement / Plant room",
    "lab": f"{SOUTH} / Ground floor / Lab 1",
    "server": f"{SOUTH} / Ground floor / Server room",
    "south_3": f"{SOUTH} / 3rd floor / Open plan",
    "south_roof": f"{SOUTH} / Roof",
    "car_park": f"{SITE} / Car park",
}

# key, name, trades, contact, email, phone, hourly rate, days until its insurance or contract runs out
VENDORS: tuple[tuple[str, str, str, str, str, str, str, int], ...] = (
    ("northair", "Northair HVAC", "hvac", "Omar Haddad", "service@northair.example", "+44 20 7946 0101", "68.00", 5),
    ("liftcare", "LiftCare UK", "general", "Tom Reed", "desk@liftcare.example", "+44 20 7946 0202", "95.00", 240),
)
SERVICED_BY = {"HQ-AHU-1": "northair", "HQ-AHU-2": "northair", "HQ-LIFT-1": "liftcare"}

# tag, name, location, category, parent, manufacturer, model, criticality, installed years ago
ASSETS: tuple[tuple[str, str, str, str, str, str, str, Criticality, int], ...] = (
    ("HQ-AHU-1", "Air handling unit 1", "north_roof", "HVAC", "", "Daikin", "D-AHU 12", Criticality.HIGH, 6),
    ("HQ-AHU-2", "Air handling unit 2", "south_roof", "HVAC", "", "Daikin", "D-AHU 12", Criticality.HIGH, 9),
    ("HQ-BLR-1", "Gas boiler 1", "plant", "Heating", "", "Viessmann", "Vitocrossal 300", Criticality.CRITICAL, 7),
    (
        "HQ-BLR-1-P1",
        "Boiler circulation pump",
        "plant",
        "Heating",
        "HQ-BLR-1",
        "Grundfos",
        "Magna3",
        Criticality.HIGH,
        4,
    ),
    ("HQ-GEN-1", "Standby generator", "car_park", "Power", "", "Cummins", "C150D5", Criticality.CRITICAL, 10),
    ("HQ-LIFT-1", "Passenger lift", "reception", "Lifts", "", "Otis", "Gen2", Criticality.HIGH, 12),
    ("HQ-UPS-1", "Server room UPS", "server", "IT", "", "APC", "Smart-UPS SRT 10k", Criticality.CRITICAL, 3),
    ("HQ-SW-CORE", "Core network switch", "server", "IT", "", "Aruba", "CX 6300", Criticality.CRITICAL, 2),
    ("HQ-PRN-2F", "Second-floor printer", "print_room", "IT", "", "HP", "LaserJet M507", Criticality.LOW, 5),
    ("HQ-WAP-3S", "Wi-Fi access point, south 3rd floor", "south_3", "IT", "", "Aruba", "AP-515", Criticality.MEDIUM, 2),
)

# sku, name, unit, unit cost, on hand, reorder point, store
PARTS: tuple[tuple[str, str, str, float, float, float, str], ...] = (
    ("FLT-AHU-592", "AHU bag filter 592x592", "each", 18.50, 16, 4, "Plant room shelf A"),
    ("BELT-SPA1250", "AHU fan belt SPA1250", "each", 14.00, 5, 2, "Plant room shelf A"),
    ("VLV-15MM", "15 mm isolation valve", "each", 6.20, 20, 5, "Plant room shelf B"),
    ("WSH-TAP", "Tap washer set", "pack", 3.10, 12, 3, "Plant room shelf B"),
    ("LED-T8-1500", "LED tube T8 1500 mm", "each", 7.90, 30, 10, "Store room"),
    ("FUSE-13A", "13 A fuse", "each", 0.40, 100, 20, "Store room"),
    ("SEAL-MAGNA3", "Pump seal kit, Magna3", "kit", 42.00, 3, 1, "Plant room shelf B"),
    ("TNR-59X", "Toner cartridge 59X", "each", 120.00, 6, 2, "IT store"),
    ("ROLLER-M507", "Printer pickup roller kit", "kit", 35.00, 3, 1, "IT store"),
    ("CAT6-2M", "Cat6 patch cable 2 m", "each", 3.00, 40, 10, "IT store"),
    ("USBC-65W", "USB-C charger 65 W", "each", 29.00, 5, 2, "IT store"),
)
