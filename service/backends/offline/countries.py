"""Countries by their adjectives (English and French), for actor labels and inference.

A short table of the countries most present in conflict and disaster news; the
gazetteer resolves country names, this resolves "malienne", "Nigerian", "FAMa".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Country:
    """A country, its adjectives and the label of its armed forces."""

    code: str
    name: str
    name_fr: str
    demonym: str
    adjective_fr: str
    army: str = ""
    army_fr: str = ""

    @property
    def army_label(self) -> str:
        """Neutral English label of the country's military forces."""
        return self.army or f"Military Forces of {self.name}"

    @property
    def army_label_fr(self) -> str:
        """Neutral French label of the country's military forces."""
        return self.army_fr or f"forces armées {feminine_plural(self.adjective_fr)}"


_ROWS = (
    ("ML", "Mali", "Mali", "Malian", "malien", "Malian Armed Forces (FAMa)",
     "Forces armées maliennes (FAMa)"),
    ("BF", "Burkina Faso", "Burkina Faso", "Burkinabe", "burkinabè"),
    ("NE", "Niger", "Niger", "Nigerien", "nigérien"),
    ("NG", "Nigeria", "Nigeria", "Nigerian", "nigérian", "Nigerian Armed Forces"),
    ("TD", "Chad", "Tchad", "Chadian", "tchadien"),
    ("CM", "Cameroon", "Cameroun", "Cameroonian", "camerounais"),
    ("SN", "Senegal", "Sénégal", "Senegalese", "sénégalais"),
    ("MR", "Mauritania", "Mauritanie", "Mauritanian", "mauritanien"),
    ("DZ", "Algeria", "Algérie", "Algerian", "algérien"),
    ("MA", "Morocco", "Maroc", "Moroccan", "marocain"),
    ("TN", "Tunisia", "Tunisie", "Tunisian", "tunisien"),
    ("LY", "Libya", "Libye", "Libyan", "libyen"),
    ("EG", "Egypt", "Égypte", "Egyptian", "égyptien"),
    ("SS", "South Sudan", "Soudan du Sud", "South Sudanese", "sud-soudanais"),
    ("SD", "Sudan", "Soudan", "Sudanese", "soudanais"),
    ("ET", "Ethiopia", "Éthiopie", "Ethiopian", "éthiopien"),
    ("SO", "Somalia", "Somalie", "Somali", "somalien"),
    ("KE", "Kenya", "Kenya", "Kenyan", "kényan"),
    ("UG", "Uganda", "Ouganda", "Ugandan", "ougandais"),
    ("CD", "DR Congo", "RD Congo", "Congolese", "congolais"),
    ("CF", "Central African Republic", "Centrafrique", "Central African", "centrafricain"),
    ("CI", "Côte d'Ivoire", "Côte d'Ivoire", "Ivorian", "ivoirien"),
    ("GH", "Ghana", "Ghana", "Ghanaian", "ghanéen"),
    ("BJ", "Benin", "Bénin", "Beninese", "béninois"),
    ("TG", "Togo", "Togo", "Togolese", "togolais"),
    ("GN", "Guinea", "Guinée", "Guinean", "guinéen"),
    ("MZ", "Mozambique", "Mozambique", "Mozambican", "mozambicain"),
    ("RW", "Rwanda", "Rwanda", "Rwandan", "rwandais"),
    ("BI", "Burundi", "Burundi", "Burundian", "burundais"),
    ("FR", "France", "France", "French", "français"),
    ("US", "United States", "États-Unis", "American", "américain"),
    ("GB", "United Kingdom", "Royaume-Uni", "British", "britannique"),
    ("RU", "Russia", "Russie", "Russian", "russe"),
    ("UA", "Ukraine", "Ukraine", "Ukrainian", "ukrainien"),
    ("SY", "Syria", "Syrie", "Syrian", "syrien"),
    ("IQ", "Iraq", "Irak", "Iraqi", "irakien"),
    ("IR", "Iran", "Iran", "Iranian", "iranien"),
    ("IL", "Israel", "Israël", "Israeli", "israélien"),
    ("PS", "Palestine", "Palestine", "Palestinian", "palestinien"),
    ("LB", "Lebanon", "Liban", "Lebanese", "libanais"),
    ("YE", "Yemen", "Yémen", "Yemeni", "yéménite"),
    ("SA", "Saudi Arabia", "Arabie saoudite", "Saudi", "saoudien"),
    ("TR", "Turkey", "Turquie", "Turkish", "turc"),
    ("AF", "Afghanistan", "Afghanistan", "Afghan", "afghan"),
    ("PK", "Pakistan", "Pakistan", "Pakistani", "pakistanais"),
    ("IN", "India", "Inde", "Indian", "indien"),
    ("BD", "Bangladesh", "Bangladesh", "Bangladeshi", "bangladais"),
    ("MM", "Myanmar", "Birmanie", "Myanmar", "birman"),
    ("PH", "Philippines", "Philippines", "Filipino", "philippin"),
    ("TH", "Thailand", "Thaïlande", "Thai", "thaïlandais"),
    ("CN", "China", "Chine", "Chinese", "chinois"),
    ("CO", "Colombia", "Colombie", "Colombian", "colombien"),
    ("MX", "Mexico", "Mexique", "Mexican", "mexicain"),
    ("VE", "Venezuela", "Venezuela", "Venezuelan", "vénézuélien"),
    ("BR", "Brazil", "Brésil", "Brazilian", "brésilien"),
    ("HT", "Haiti", "Haïti", "Haitian", "haïtien"),
    ("AM", "Armenia", "Arménie", "Armenian", "arménien"),
    ("AZ", "Azerbaijan", "Azerbaïdjan", "Azerbaijani", "azerbaïdjanais"),
)  # fmt: skip

COUNTRIES: tuple[Country, ...] = tuple(Country(*row) for row in _ROWS)
BY_CODE = {country.code: country for country in COUNTRIES}

# Acronyms of state forces that name their country.
FORCE_ACRONYMS = {
    "FAMA": "ML", "FAMa": "ML", "FAN": "NE", "FANCI": "CI", "FARDC": "CD", "FACA": "CF",
    "FDS": "", "SAA": "SY", "IDF": "IL", "Tsahal": "IL", "Tatmadaw": "MM", "UPDF": "UG",
    "KDF": "KE", "SNA": "SO", "ENDF": "ET", "ANA": "AF", "ANDSF": "AF",
}  # fmt: skip


def feminine_plural(adjective: str) -> str:
    """French feminine plural of a country adjective: malien -> maliennes."""
    if adjective.endswith(("ien", "éen")):
        return adjective + "nes"
    if adjective.endswith(("e", "è")):
        return adjective + ("s" if adjective.endswith("e") else "")
    if adjective == "turc":
        return "turques"
    return adjective + "es"


def _french_forms(adjective: str) -> str:
    if adjective.endswith(("ien", "éen")):
        return re.escape(adjective) + "(?:ne)?s?"
    if adjective.endswith("è"):
        return re.escape(adjective) + "|" + re.escape(adjective[:-1] + "é")
    if adjective.endswith(("ais", "ois")):
        return re.escape(adjective) + "(?:es?)?"
    if adjective == "turc":
        return "turc(?:que)?s?"
    return re.escape(adjective) + ("s?" if adjective.endswith("e") else "(?:e)?s?")


@cache
def adjective_pattern(lang: str) -> re.Pattern[str]:
    """A pattern whose named groups (c_XX) tell which country an adjective names."""
    alternatives = []
    for country in sorted(COUNTRIES, key=lambda c: -len(c.demonym)):
        form = _french_forms(country.adjective_fr) if lang == "fr" else re.escape(country.demonym)
        alternatives.append(f"(?P<c_{country.code}>{form})")
    flags = re.IGNORECASE if lang == "fr" else 0
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", flags)


def country_of_adjective(text: str, lang: str) -> Country | None:
    """The country named by the first adjective in `text` ("forces maliennes" -> Mali)."""
    match = adjective_pattern(lang).search(text)
    if match is None or match.lastgroup is None:
        return None
    return BY_CODE[match.lastgroup[2:]]
