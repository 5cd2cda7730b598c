"""Reference data the organisation generator draws from."""

from __future__ import annotations

from typing import NamedTuple


class Site(NamedTuple):
    """An office: city, IANA time zone, country code and the local language."""

    city: str
    timezone: str
    country: str
    language: str


SITES = (
    Site("London", "Europe/London", "GB", "English"),
    Site("New York", "America/New_York", "US", "English"),
    Site("San Francisco", "America/Los_Angeles", "US", "English"),
    Site("Toronto", "America/Toronto", "CA", "French"),
    Site("Berlin", "Europe/Berlin", "DE", "German"),
    Site("Paris", "Europe/Paris", "FR", "French"),
    Site("Madrid", "Europe/Madrid", "ES", "Spanish"),
    Site("São Paulo", "America/Sao_Paulo", "BR", "Portuguese"),
    Site("Bangalore", "Asia/Kolkata", "IN", "Hindi"),
    Site("Singapore", "Asia/Singapore", "SG", "Mandarin"),
    Site("Tokyo", "Asia/Tokyo", "JP", "Japanese"),
    Site("Sydney", "Australia/Sydney", "AU", "English"),
)

# department -> (division, individual contributor role)
DEPARTMENTS = {
    "Engineering": ("Technology", "Software Engineer"),
    "Sales": ("Go-to-Market", "Account Executive"),
    "Marketing": ("Go-to-Market", "Marketing Specialist"),
    "Finance": ("Corporate", "Financial Analyst"),
    "HR": ("Corporate", "People Partner"),
    "Operations": ("Corporate", "Operations Analyst"),
    "Legal": ("Corporate", "Legal Counsel"),
    "Product": ("Technology", "Product Manager"),
}

EXTRA_LANGUAGES = (
    "English",
    "Spanish",
    "French",
    "German",
    "Arabic",
    "Polish",
    "Italian",
    "Korean",
)

DIGITAL_SKILLS = (
    "Generative AI tools", "TikTok", "Instagram", "Data visualisation", "Python", "SQL",
    "No-code automation", "Figma", "Podcasting", "Cybersecurity hygiene", "Remote collaboration",
    "Prompt engineering", "Video editing", "Community building", "Accessibility",
)  # fmt: skip
BUSINESS_SKILLS = (
    "Strategy", "Negotiation", "P&L ownership", "Stakeholder management", "Public speaking",
    "Coaching", "Change management", "Budgeting", "Hiring", "Board reporting", "M&A",
    "Crisis management",
)  # fmt: skip
INTERESTS = (
    "Running", "Climbing", "Chess", "Photography", "Gaming", "Cooking", "Jazz", "Football",
    "Sustainability", "Volunteering", "Yoga", "Reading", "Travel", "Cycling", "Gardening",
    "Board games", "Film", "Hiking", "Podcasts", "Painting",
)  # fmt: skip

FIRST_NAMES = (
    "Aisha", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jamal",
    "Kavya", "Liam", "Mei", "Nikolai", "Olivia", "Pedro", "Qian", "Rosa", "Samir", "Tanya",
    "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Daniel",
    "Emeka", "Fatima", "Gustavo", "Hannah", "Ivan", "Jia", "Kofi", "Lucía", "Mateo", "Nadia",
    "Oscar", "Priya", "Rafael", "Sofia", "Tomás", "Ursula", "Victor", "Wanjiru", "Yara", "Zain",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Becker", "Chen", "Dubois", "Evans", "Fernández", "García", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lopez", "Müller", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi",
    "Singh", "Tanaka", "Usman", "Vargas", "Wang", "Xu", "Yilmaz", "Zhang", "Andersen", "Banerjee",
    "Costa", "Diallo", "Eriksen", "Fischer", "Gupta", "Hoffmann", "Ivanova", "Johnson", "Kim",
    "Larsen", "Martin", "Novak", "O'Brien", "Petrov", "Ramos", "Silva", "Thompson", "Ueda",
)  # fmt: skip


def job_title(department: str, level: int) -> str:
    """A realistic title for a department and level (1 junior .. 10 CEO)."""
    role = DEPARTMENTS.get(department, ("", "Specialist"))[1]
    titles = {
        1: f"Associate {role}",
        2: role,
        3: f"Senior {role}",
        4: f"Lead {role}",
        5: f"{department} Manager",
        6: f"Senior {department} Manager",
        7: f"Director of {department}",
        8: f"Senior Director of {department}",
        9: f"VP {department}",
        10: "Chief Executive Officer",
    }
    return titles[max(1, min(level, 10))]
