"""One generator of realistic congress participants for the demo, the tests and the benchmarks.

People come from ~100 member cities on every continent, with names in their own scripts
(Latin with accents, Cyrillic, Greek, Arabic, Chinese, Japanese, Korean, Devanagari), plausible
titles and organisations. The output is plain dicts so that every app can take them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# Name pools: (given names, family names, romanised given, romanised family, family-name-first)
# Romanised forms give ASCII e-mail addresses; CJK names are printed family name first.


@dataclass(frozen=True)
class NamePool:
    given: tuple[str, ...]
    family: tuple[str, ...]
    given_latin: tuple[str, ...] = ()
    family_latin: tuple[str, ...] = ()
    family_first: bool = False
    joined: bool = False  # printed without a space (Chinese, Japanese)


POOLS: dict[str, NamePool] = {
    "fr": NamePool(
        ("Élodie", "François", "Anaïs", "Jérôme", "Hélène", "Benoît", "Maëlle", "Noël", "Chloé"),
        ("Lefèvre", "Gagné", "Dubois", "Mercier", "Bérénger", "Girard", "Rousseau", "Fontaine"),
    ),
    "es": NamePool(
        ("José", "María", "Lucía", "Andrés", "Sofía", "Martín", "Inés", "Raúl", "Begoña"),
        ("Núñez", "García", "Muñoz", "Peña", "Ibáñez", "Rodríguez", "Sánchez", "Gómez"),
    ),
    "pt": NamePool(
        ("João", "Conceição", "Thiago", "Luísa", "Antônio", "Beatriz", "Gonçalo", "Lúcia"),
        ("Araújo", "Gonçalves", "Simões", "Magalhães", "Conceição", "Brandão", "Falcão"),
    ),
    "de": NamePool(
        ("Jürgen", "Sönke", "Bärbel", "Jörg", "Käthe", "Lukas", "Anna", "Björn"),
        ("Müller", "Schäfer", "Groß", "Köhler", "Weiß", "Bäcker", "Schröder", "Fuchs"),
    ),
    "pl": NamePool(
        ("Łukasz", "Małgorzata", "Wojciech", "Agnieszka", "Paweł", "Zuzanna"),
        ("Wiśniewski", "Kowalczyk", "Dąbrowska", "Wójcik", "Zieliński", "Łęcka"),
    ),
    "tr": NamePool(
        ("Ayşe", "Çağrı", "Gülşen", "Ömer", "Şule", "İbrahim", "Zeynep"),
        ("Yılmaz", "Şahin", "Öztürk", "Çelik", "Aydın", "Doğan", "Kılıç"),
    ),
    "vi": NamePool(
        ("Thị Hương", "Văn Đức", "Ngọc Ánh", "Minh Tuấn", "Thu Trang"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng"),
        family_first=True,
    ),
    "en": NamePool(
        ("Sarah", "James", "Aisha", "Michael", "Grace", "Daniel", "Olivia", "Kwame", "Priya"),
        ("Thompson", "O'Connor", "Okafor", "Walker", "Nakamura-Smith", "Campbell", "Mensah"),
    ),
    "sw": NamePool(
        ("Amani", "Neema", "Baraka", "Zawadi", "Juma", "Imani", "Wanjiru"),
        ("Mwangi", "Otieno", "Njoroge", "Mutua", "Wambui", "Kamau", "Achieng"),
    ),
    "ru": NamePool(
        ("Анна", "Дмитрий", "Ольга", "Сергей", "Наталья", "Алексей", "Екатерина"),
        ("Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев", "Новикова"),
        ("anna", "dmitry", "olga", "sergey", "natalya", "alexey", "ekaterina"),
        ("ivanova", "smirnov", "kuznetsova", "popov", "sokolova", "lebedev", "novikova"),
    ),
    "uk": NamePool(
        ("Олена", "Тарас", "Ірина", "Богдан", "Соломія"),
        ("Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Мельник"),
        ("olena", "taras", "iryna", "bohdan", "solomiia"),
        ("shevchenko", "kovalenko", "bondarenko", "tkachenko", "melnyk"),
    ),
    "el": NamePool(
        ("Γιώργος", "Μαρία", "Δημήτρης", "Ελένη", "Κωνσταντίνος", "Σοφία"),
        ("Παπαδόπουλος", "Παπαδοπούλου", "Νικολάου", "Γεωργίου", "Οικονόμου", "Αντωνίου"),
        ("giorgos", "maria", "dimitris", "eleni", "konstantinos", "sofia"),
        ("papadopoulos", "papadopoulou", "nikolaou", "georgiou", "oikonomou", "antoniou"),
    ),
    "ar": NamePool(
        ("محمد", "فاطمة", "أحمد", "ليلى", "يوسف", "مريم", "خالد", "نور"),
        ("العلي", "الحسن", "المنصوري", "الخطيب", "بن سالم", "الحداد", "الزين", "العمري"),
        ("mohamed", "fatima", "ahmed", "leila", "youssef", "mariam", "khaled", "nour"),
        (
            "alali",
            "alhassan",
            "almansouri",
            "alkhatib",
            "bensalem",
            "alhaddad",
            "alzein",
            "alomari",
        ),
    ),
    "zh": NamePool(
        ("伟", "芳", "秀英", "敏", "静", "磊", "婷", "建华"),
        ("王", "李", "张", "刘", "陈", "杨", "黄", "赵"),
        ("wei", "fang", "xiuying", "min", "jing", "lei", "ting", "jianhua"),
        ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao"),
        family_first=True,
        joined=True,
    ),
    "ja": NamePool(
        ("陽翔", "結衣", "大輔", "さくら", "健太", "美咲", "翔太"),
        ("佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本"),
        ("haruto", "yui", "daisuke", "sakura", "kenta", "misaki", "shota"),
        ("sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto"),
        family_first=True,
        joined=True,
    ),
    "ko": NamePool(
        ("민준", "서연", "지훈", "하은", "도윤", "수빈", "예준"),
        ("김", "이", "박", "최", "정", "강", "조"),
        ("minjun", "seoyeon", "jihun", "haeun", "doyun", "subin", "yejun"),
        ("kim", "lee", "park", "choi", "jung", "kang", "cho"),
        family_first=True,
        joined=True,
    ),
    "hi": NamePool(
        ("आरव", "प्रिया", "विवेक", "अनन्या", "राहुल", "दीपिका", "अर्जुन"),
        ("शर्मा", "वर्मा", "गुप्ता", "सिंह", "पटेल", "मेहता", "अग्रवाल"),
        ("aarav", "priya", "vivek", "ananya", "rahul", "deepika", "arjun"),
        ("sharma", "verma", "gupta", "singh", "patel", "mehta", "agarwal"),
    ),
}

# (city, ISO country, name pool, UI language among settings.LANGUAGES)
CITIES: tuple[tuple[str, str, str, str], ...] = (
    # Europe
    ("Lisbon", "PT", "pt", "pt"),
    ("Porto", "PT", "pt", "pt"),
    ("Barcelona", "ES", "es", "es"),
    ("Madrid", "ES", "es", "es"),
    ("Bilbao", "ES", "es", "es"),
    ("Paris", "FR", "fr", "fr"),
    ("Lyon", "FR", "fr", "fr"),
    ("Strasbourg", "FR", "fr", "fr"),
    ("Brussels", "BE", "fr", "fr"),
    ("Geneva", "CH", "fr", "fr"),
    ("Berlin", "DE", "de", "en"),
    ("München", "DE", "de", "en"),
    ("Wien", "AT", "de", "en"),
    ("Kraków", "PL", "pl", "en"),
    ("Gdańsk", "PL", "pl", "en"),
    ("Athens", "GR", "el", "en"),
    ("Thessaloniki", "GR", "el", "en"),
    ("Kyiv", "UA", "uk", "en"),
    ("Lviv", "UA", "uk", "en"),
    ("Kazan", "RU", "ru", "ru"),
    ("Istanbul", "TR", "tr", "en"),
    ("İzmir", "TR", "tr", "en"),
    ("Dublin", "IE", "en", "en"),
    ("Manchester", "GB", "en", "en"),
    ("Bristol", "GB", "en", "en"),
    # Africa
    ("Dakar", "SN", "fr", "fr"),
    ("Abidjan", "CI", "fr", "fr"),
    ("Rabat", "MA", "ar", "ar"),
    ("Casablanca", "MA", "ar", "fr"),
    ("Tunis", "TN", "ar", "ar"),
    ("Cairo", "EG", "ar", "ar"),
    ("Nairobi", "KE", "sw", "en"),
    ("Mombasa", "KE", "sw", "en"),
    ("Dar es Salaam", "TZ", "sw", "en"),
    ("Kampala", "UG", "sw", "en"),
    ("Accra", "GH", "en", "en"),
    ("Lagos", "NG", "en", "en"),
    ("Johannesburg", "ZA", "en", "en"),
    ("Durban", "ZA", "en", "en"),
    ("Maputo", "MZ", "pt", "pt"),
    ("Luanda", "AO", "pt", "pt"),
    ("Kigali", "RW", "sw", "fr"),
    ("Yaoundé", "CM", "fr", "fr"),
    ("Addis Ababa", "ET", "en", "en"),
    # Middle East
    ("Amman", "JO", "ar", "ar"),
    ("Beirut", "LB", "ar", "ar"),
    ("Dubai", "AE", "ar", "ar"),
    ("Ramallah", "PS", "ar", "ar"),
    ("Muscat", "OM", "ar", "ar"),
    # Asia
    ("Seoul", "KR", "ko", "en"),
    ("Busan", "KR", "ko", "en"),
    ("Daejeon", "KR", "ko", "en"),
    ("Gwangju", "KR", "ko", "en"),
    ("Tokyo", "JP", "ja", "en"),
    ("Yokohama", "JP", "ja", "en"),
    ("Osaka", "JP", "ja", "en"),
    ("Kobe", "JP", "ja", "en"),
    ("Beijing", "CN", "zh", "zh-hans"),
    ("Shanghai", "CN", "zh", "zh-hans"),
    ("Guangzhou", "CN", "zh", "zh-hans"),
    ("Chengdu", "CN", "zh", "zh-hans"),
    ("Taipei", "TW", "zh", "zh-hans"),
    ("New Delhi", "IN", "hi", "en"),
    ("Mumbai", "IN", "hi", "en"),
    ("Jaipur", "IN", "hi", "en"),
    ("Kathmandu", "NP", "hi", "en"),
    ("Hà Nội", "VN", "vi", "en"),
    ("Hồ Chí Minh City", "VN", "vi", "en"),
    ("Jakarta", "ID", "en", "en"),
    ("Surabaya", "ID", "en", "en"),
    ("Manila", "PH", "en", "en"),
    ("Bangkok", "TH", "en", "en"),
    ("Kuala Lumpur", "MY", "en", "en"),
    ("Almaty", "KZ", "ru", "ru"),
    ("Tashkent", "UZ", "ru", "ru"),
    # Americas
    ("Montréal", "CA", "fr", "fr"),
    ("Québec", "CA", "fr", "fr"),
    ("Toronto", "CA", "en", "en"),
    ("Vancouver", "CA", "en", "en"),
    ("Chicago", "US", "en", "en"),
    ("Los Angeles", "US", "en", "en"),
    ("New York", "US", "en", "en"),
    ("México", "MX", "es", "es"),
    ("Guadalajara", "MX", "es", "es"),
    ("Bogotá", "CO", "es", "es"),
    ("Medellín", "CO", "es", "es"),
    ("Quito", "EC", "es", "es"),
    ("Lima", "PE", "es", "es"),
    ("La Paz", "BO", "es", "es"),
    ("Santiago", "CL", "es", "es"),
    ("Buenos Aires", "AR", "es", "es"),
    ("Rosario", "AR", "es", "es"),
    ("Montevideo", "UY", "es", "es"),
    ("São Paulo", "BR", "pt", "pt"),
    ("Rio de Janeiro", "BR", "pt", "pt"),
    ("Belo Horizonte", "BR", "pt", "pt"),
    ("Porto Alegre", "BR", "pt", "pt"),
    ("Recife", "BR", "pt", "pt"),
    # Oceania
    ("Sydney", "AU", "en", "en"),
    ("Melbourne", "AU", "en", "en"),
    ("Auckland", "NZ", "en", "en"),
    ("Suva", "FJ", "en", "en"),
    ("Wellington", "NZ", "en", "en"),
)

TITLES = (
    ("Mayor", 8),
    ("Deputy Mayor", 6),
    ("City Councillor", 10),
    ("Governor", 2),
    ("Director of International Relations", 8),
    ("Head of Urban Planning", 5),
    ("Chief Resilience Officer", 3),
    ("Climate Policy Advisor", 5),
    ("Secretary General", 2),
    ("Programme Officer", 8),
    ("Researcher", 4),
    ("Journalist", 2),
    ("Chief Executive", 2),
    ("Project Manager", 6),
    ("Policy Officer", 6),
)

PARTNER_ORGANISATIONS = (
    ("United Nations Human Settlements Programme", "international"),
    ("World Bank Urban Development", "international"),
    ("Institute for Urban Futures", "academia"),
    ("Global Cities Research Network", "academia"),
    ("Smart Mobility Partners", "business"),
    ("Clean Water Alliance", "ngo"),
    ("Resilient Communities Foundation", "ngo"),
    ("Metropolitan Press Agency", "media"),
)


def _ascii(text: str) -> str:
    normalised = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in normalised if ch.isascii() and (ch.isalnum()))
    return kept.lower()


def _weighted_title(rng: random.Random) -> str:
    titles, weights = zip(*TITLES, strict=True)
    return rng.choices(titles, weights=weights, k=1)[0]


def make_person(rng: random.Random, index: int) -> dict:
    city, country, pool_key, language = CITIES[index % len(CITIES)]
    pool = POOLS[pool_key]
    gi = rng.randrange(len(pool.given))
    fi = rng.randrange(len(pool.family))
    given, family = pool.given[gi], pool.family[fi]
    if pool.joined:
        badge_name = f"{family}{given}"
    elif pool.family_first:
        badge_name = f"{family} {given}"
    else:
        badge_name = f"{given} {family}"
    given_ascii = pool.given_latin[gi] if pool.given_latin else _ascii(given)
    family_ascii = pool.family_latin[fi] if pool.family_latin else _ascii(family)
    # Names in another script carry their Latin form, the way staff type them at the desk.
    name_latin = ""
    if pool.given_latin:
        latin = (given_ascii.title(), family_ascii.title())
        name_latin = " ".join(reversed(latin) if pool.family_first else latin)
    if rng.random() < 0.8:
        organisation, organisation_type = f"City of {city}", "local_government"
    else:
        organisation, organisation_type = rng.choice(PARTNER_ORGANISATIONS)
    domain = _ascii(organisation)[:24] or "example"
    return {
        "given_name": given,
        "family_name": family,
        "badge_name": badge_name,
        "name_latin": name_latin,
        "title": _weighted_title(rng),
        "organisation_name": organisation,
        "organisation_type": organisation_type,
        "city": city,
        "country": country,
        "email": f"{given_ascii}.{family_ascii}.{index}@{domain}.example".replace(" ", ""),
        "language": language,
        "script": pool_key,
    }


def generate_people(count: int, *, seed: int = 2027, offset: int = 0) -> list[dict]:
    """``count`` distinct people, the same for the same seed (so seeding stays idempotent)."""
    rng = random.Random(seed)
    return [make_person(rng, offset + n) for n in range(count)]
