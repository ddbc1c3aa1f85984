"""NIBRS Group A offense codes (FBI NIBRS User Manual) and the names the pages show."""

from __future__ import annotations

import re

OFFENSES: dict[str, str] = {
    "09A": "Murder and nonnegligent manslaughter",
    "09B": "Negligent manslaughter",
    "09C": "Justifiable homicide",
    "100": "Kidnapping/abduction",
    "11A": "Rape",
    "11B": "Sodomy",
    "11C": "Sexual assault with an object",
    "11D": "Fondling",
    "120": "Robbery",
    "13A": "Aggravated assault",
    "13B": "Simple assault",
    "13C": "Intimidation",
    "200": "Arson",
    "210": "Extortion/blackmail",
    "220": "Burglary/breaking and entering",
    "23A": "Pocket-picking",
    "23B": "Purse-snatching",
    "23C": "Shoplifting",
    "23D": "Theft from building",
    "23E": "Theft from coin-operated machine",
    "23F": "Theft from motor vehicle",
    "23G": "Theft of motor vehicle parts",
    "23H": "All other larceny",
    "240": "Motor vehicle theft",
    "250": "Counterfeiting/forgery",
    "26A": "False pretenses/swindle",
    "26B": "Credit card/ATM fraud",
    "26C": "Impersonation",
    "26D": "Welfare fraud",
    "26E": "Wire fraud",
    "26F": "Identity theft",
    "26G": "Hacking/computer invasion",
    "270": "Embezzlement",
    "280": "Stolen property offenses",
    "290": "Destruction/damage/vandalism of property",
    "35A": "Drug/narcotic violations",
    "35B": "Drug equipment violations",
    "36A": "Incest",
    "36B": "Statutory rape",
    "370": "Pornography/obscene material",
    "39A": "Betting/wagering",
    "39B": "Operating/promoting/assisting gambling",
    "39C": "Gambling equipment violations",
    "39D": "Sports tampering",
    "40A": "Prostitution",
    "40B": "Assisting or promoting prostitution",
    "40C": "Purchasing prostitution",
    "510": "Bribery",
    "520": "Weapon law violations",
    "64A": "Human trafficking, commercial sex acts",
    "64B": "Human trafficking, involuntary servitude",
    "720": "Animal cruelty",
}

_CODE = re.compile(r"^\s*(\d{2}[A-H]|\d{3})\s*$", re.IGNORECASE)


def as_nibrs(code: str) -> str | None:
    """The NIBRS code ``code`` is, if it is one (``"13a"`` -> ``"13A"``)."""
    m = _CODE.match(code)
    if not m:
        return None
    normal = m.group(1).upper()
    return normal if normal in OFFENSES else None
