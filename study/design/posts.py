"""How each post of a vignette thread looks: names, handles, avatars, times and counts.

The interface words around the thread (``UI_TEXT``) and the layout of each
message as a post, used by :func:`study.design.vignettes.render_vignette`.

>>> _initials("Vodafone Ziggo"), _handle_from_name("Anouk de Vries")
('VZ', '@anouk_de_vries')
"""

from __future__ import annotations

import re
import unicodedata
import zlib

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_OTHER_AVATAR = "#6b7785"

#: Interface words around the thread, per language (the thread's own words come from the study).
UI_TEXT = {
    "en": {
        "thread_label": "{platform} conversation between {complainant} and {brand}",
        "post_label": "Post by {name}",
        "reply_to": "Replying to {handle}",
        "other_user": "Another user",
        "minutes": ("{n} min", "{n} minutes ago"),
        "hours": ("{n} h", "{n} hours ago"),
        "hour": ("{n} h", "{n} hour ago"),
        "index_heading": "Vignettes: {title}",
        "index_subtitle": "Study {study_id}: {n_conditions} conditions, rendered in {languages}.",
        "index_caption": "One page per condition and language; open a link to see the thread.",
        "condition": "Condition",
        "open": "open",
    },
    "nl": {
        "thread_label": "Gesprek op {platform} tussen {complainant} en {brand}",
        "post_label": "Bericht van {name}",
        "reply_to": "Antwoord aan {handle}",
        "other_user": "Andere gebruiker",
        "minutes": ("{n} min", "{n} minuten geleden"),
        "hours": ("{n} u", "{n} uur geleden"),
        "hour": ("{n} u", "{n} uur geleden"),
        "index_heading": "Vignetten: {title}",
        "index_subtitle": "Studie {study_id}: {n_conditions} condities, weergegeven in {languages}.",
        "index_caption": "Eén pagina per conditie en taal; open een link om het gesprek te zien.",
        "condition": "Conditie",
        "open": "openen",
    },
}


def _ui(lang: str) -> dict:
    return UI_TEXT.get(lang, UI_TEXT["en"])


def _check_colour(colour: str, where: str) -> str:
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise ValueError(f"{where} must be a colour like '#2a6f97', got {colour!r}")
    return colour


# --- presentation helpers -------------------------------------------------------

def readable_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG 2.1).

    Parameters
    ----------
    background : str
        A colour as ``#rrggbb``.

    Returns
    -------
    str
        ``"#ffffff"`` or ``"#111111"``.

    Examples
    --------
    >>> readable_text_colour("#0b3d91"), readable_text_colour("#f4d35e")
    ('#ffffff', '#111111')
    """
    _check_colour(background, "background")

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark = 0.2126 * channel("11") + 0.7152 * channel("11") + 0.0722 * channel("11")
    contrast_white = 1.05 / (luminance + 0.05)
    contrast_dark = (luminance + 0.05) / (dark + 0.05)
    return "#ffffff" if contrast_white >= contrast_dark else "#111111"


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s_\-.]+", name) if w]
    if not words:
        return "?"
    return "".join(word[0] for word in words[:2]).upper()


def _handle(handle: str | None) -> str | None:
    if not handle:
        return None
    return handle if handle.startswith("@") else f"@{handle}"


def _handle_from_name(name: str) -> str | None:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]", "", ascii_name.lower().replace(" ", "_"))
    return f"@{slug[:30]}" if slug else None


def _relative_time(minutes: int, lang: str) -> tuple[str, str, str]:
    """(short text, long text, ISO 8601 duration) for a post ``minutes`` old."""
    ui = _ui(lang)
    if minutes < 60:
        short, long = ui["minutes"]
        return short.format(n=minutes), long.format(n=minutes), f"PT{minutes}M"
    hours = minutes // 60
    short, long = ui["hour" if hours == 1 else "hours"]
    return short.format(n=hours), long.format(n=hours), f"PT{hours}H"


def _decoration(key: str, salt: int) -> int:
    """A small stable number from ``key``: the same page renders the same counts."""
    return zlib.crc32(f"{salt}:{key}".encode()) % 37 + 2


def _posts(study, messages: list, lang: str) -> list[dict]:
    vignette = study.vignette
    ui = _ui(lang)
    brand_colour = _check_colour(vignette.brand.colour, "vignette.brand.colour")
    complainant_colour = _check_colour(vignette.complainant.colour, "vignette.complainant.colour")
    accounts = {
        "brand": (vignette.brand.name, _handle(vignette.brand.handle), brand_colour),
        "complainant": (
            vignette.complainant.name, _handle(vignette.complainant.handle), complainant_colour,
        ),
    }
    posts = []
    for position, message in enumerate(messages):
        if message.author in accounts:
            name, handle, colour = accounts[message.author]
        elif message.author == "other":
            name = getattr(message, "name", None) or ui["other_user"]
            handle, colour = _handle_from_name(name), _OTHER_AVATAR
        else:
            raise ValueError(
                f"vignette message {position + 1} has author {message.author!r}; "
                "use one of 'complainant', 'brand', 'other'"
            )
        # Decorative timeline: the complaint a couple of hours ago, replies since.
        minutes = 30 + 50 * (len(messages) - 1 - position)
        time_text, time_title, iso_duration = _relative_time(minutes, lang)
        previous_handle = next(
            (post["handle"] for post in reversed(posts) if post["handle"] != handle), None
        )
        is_first = position == 0
        posts.append({
            "author": message.author,
            "name": name,
            "handle": handle,
            "initials": _initials(name),
            "avatar_bg": colour,
            "avatar_fg": readable_text_colour(colour),
            "label": ui["post_label"].format(name=name),
            "reply_to": ui["reply_to"].format(handle=previous_handle) if previous_handle else None,
            "text": message.text,
            "time_text": time_text,
            "time_title": time_title,
            "iso_duration": iso_duration,
            "replies": len(messages) - 1 if is_first else "",
            # counts depend on the study and the post's position only: were they drawn from
            # the text, conditions and languages would differ in likes (a social-proof confound)
            "shares": _decoration(f"{study.id}:{position}", 1) if is_first else "",
            "likes": (_decoration(f"{study.id}:{position}", 2) if is_first
                      else _decoration(f"{study.id}:{position}", 3) // 4 or ""),
        })
    return posts
