"""Realistic Swedish people for the demo: åäö names, valid personal identity numbers, Swedish
mobile numbers, addresses and bank accounts that pass Swedish bank-account validation."""

import random
from datetime import date, timedelta

FIRST_NAMES = [
    "Åsa", "Björn", "Göran", "Märta", "Örjan", "Åke", "Håkan", "Jörgen", "Sören", "Lärka", "Maja", "Elsa",
    "Agnes", "Astrid", "Ingrid", "Karin", "Lena", "Annika", "Sofia", "Hanna", "Linnéa", "Saga", "Wilma", "Frida",
    "Erik", "Lars", "Anders", "Johan", "Per", "Nils", "Olof", "Gustav", "Axel", "Oskar", "Viktor", "Emil",
    "Jöns", "Mårten", "Stig", "Birgitta", "Gunnel", "Ylva", "Sigrid", "Torbjörn", "Göte", "Ebba", "Tove", "Ture",
]
LAST_NAMES = [
    "Öberg", "Åström", "Bäckström", "Löfgren", "Sjöberg", "Ekström", "Nordström", "Hägglund", "Ståhl", "Gärdebäck",
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Lindqvist", "Björklund", "Holmström", "Sundén", "Wästberg", "Åkesson", "Lindén", "Forsén",
    "Ström", "Bergström", "Söderberg", "Hedlund", "Sjögren", "Blomqvist", "Fältskog", "Mälarstedt",
]
STREETS = ["Storgatan", "Drottninggatan", "Kungsgatan", "Östra Hamngatan", "Västra Långgatan", "Skolgatan",
           "Björkvägen", "Ängsvägen", "Kvarngatan", "Sjöviksvägen", "Åsgränd", "Järnvägsgatan"]
CITIES = [("Stockholm", "114"), ("Göteborg", "411"), ("Malmö", "211"), ("Uppsala", "753"), ("Västerås", "722"),
          ("Örebro", "702"), ("Linköping", "582"), ("Jönköping", "553"), ("Umeå", "903"), ("Luleå", "972"),
          ("Norrköping", "602"), ("Gävle", "802"), ("Borås", "503"), ("Växjö", "352"), ("Kiruna", "981")]
JOB_TITLES = ["Lagerarbetare", "Truckförare", "Plockare", "Lagerchef", "Ekonom", "Säljare", "Kundtjänst",
              "Inköpare", "HR-specialist", "Utvecklare", "Produktionsledare", "Chaufför"]
ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "a", "Ä": "a", "Ö": "o", " ": "."})


def luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def personal_identity_number(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 42))
    serial = f"{born:%y%m%d}{rng.randrange(1000):03d}"
    return f"{born:%Y%m%d}-{serial[6:]}{luhn_digit(serial)}"


def bank_account(personal_number: str) -> tuple[str, str]:
    """Nordea's personal accounts: clearing 3300 and the ten-digit personal identity number,
    valid by construction (its Luhn digit is the account's check digit)."""
    digits = personal_number.replace("-", "")[2:]
    return "3300", digits


def person(rng: random.Random, number: int) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, zip_prefix = rng.choice(CITIES)
    personal_number = personal_identity_number(rng)
    clearing, account = bank_account(personal_number)
    return {
        "FirstName": first, "LastName": last,
        "Email": f"{first}.{last}.{number}@exempel.se".lower().translate(ASCII),
        "Phone1": f"07{rng.choice('0236')}-{rng.randrange(1000000, 9999999)}",
        "Address1": f"{rng.choice(STREETS)} {rng.randrange(1, 80)}", "PostCode": f"{zip_prefix}{rng.randrange(10, 99)}",
        "City": city, "Country": "Sverige", "PersonalIdentityNumber": personal_number,
        "ClearingNo": clearing, "BankAccountNo": account, "JobTitle": rng.choice(JOB_TITLES),
    }
