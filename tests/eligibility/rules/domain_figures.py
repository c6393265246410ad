"""The riksnorm figures as printed in /work/shared/DOMAIN.md, typed in independently of the
TOML data so the tests check the data, not the data against itself. "p" = provisional."""

from __future__ import annotations

BANDS = (
    "child_0",
    "child_0_lunch",
    "child_1_2",
    "child_1_2_lunch",
    "child_3",
    "child_3_lunch",
    "child_4_6",
    "child_4_6_lunch",
    "child_7_10",
    "child_11_14",
    "child_15_18",
    "child_19_20",
    "adult_single",
    "adult_couple",
)

# year -> figures in BANDS order; a string ending in "p" is provisional.
PERSONAL: dict[int, tuple[int | str, ...]] = {
    2019: (2130, 2000, 2380, 2190, 2120, 1940, 2380, 2120, 2990, 3440, 3880, 3910, 3090, 5570),
    2023: (2420, 2270, 2700, 2480, 2410, 2210, 2700, 2410, 3380, 3890, 4390, 4430, 3490, 6300),
    2024: (
        2640, "2470p", 2940, "2700p", 2620, "2400p", 2940, "2620p",
        3680, 4230, 4780, 4820, 3800, 6850,
    ),
    2025: (2720, 2540, 3030, 2780, 2700, 2480, 3030, 2700, 3790, 4350, 4920, 4960, 3910, 7050),
    2026: (
        "2740p", "2560p", "3050p", "2800p", "2720p", "2500p", "3050p", "2720p",
        "3820p", "4380p", "4950p", "4990p", 3940, 7100,
    ),
}  # fmt: skip

# year -> common costs for 1..7 persons, then each additional person.
HOUSEHOLD: dict[int, tuple[int | str, ...]] = {
    2019: (990, 1100, 1380, 1570, 1810, 2050, 2220, 170),
    2023: (1130, 1250, 1580, 1790, 2060, 2330, 2510, 180),
    2024: (1230, 1360, 1720, 1950, 2240, 2540, 2730, 190),
    2025: (1270, 1400, 1770, 2010, 2310, 2620, 2810, 190),
    2026: (1280, 1410, "1780p", "2020p", "2330p", "2640p", "2830p", "190p"),
}

PRICE_BASE_AMOUNT = {2024: 57300, 2025: 58800, 2026: 59200}


def figure(value: int | str) -> tuple[int, bool]:
    """(amount, provisional) from a DOMAIN.md cell."""
    if isinstance(value, str):
        return int(value.rstrip("p")), value.endswith("p")
    return value, False


# Age and preschool lunch that select each child band.
BAND_EXAMPLES: dict[str, tuple[tuple[int, bool, bool], ...]] = {
    # band: ((age, preschool_lunch, in_school), ...)
    "child_0": ((0, False, False),),
    "child_0_lunch": ((0, True, False),),
    "child_1_2": ((1, False, False), (2, False, False)),
    "child_1_2_lunch": ((1, True, False), (2, True, False)),
    "child_3": ((3, False, False),),
    "child_3_lunch": ((3, True, False),),
    "child_4_6": ((4, False, False), (6, False, False)),
    "child_4_6_lunch": ((4, True, False), (6, True, False)),
    "child_7_10": ((7, False, True), (10, False, False)),
    "child_11_14": ((11, False, True), (14, False, True)),
    "child_15_18": ((15, False, True), (18, False, False)),
    "child_19_20": ((19, False, True), (20, False, True)),
}
