"""The message catalogue: every text a person reads (cues, praise, the overlay, the terminal
summary, the timeline) in their language, English or German.

Standard-library gettext. The English text is the message id, so English needs no catalogue and a
message missing from a catalogue still shows (in English). The German catalogue is
`formcheck/locale/de/LC_MESSAGES/formcheck.po`, compiled to the `.mo` beside it, which is
committed so an editable install needs no build step (`python -m formcheck.lab.catalogue compile`
rewrites it; tests/test_i18n.py fails when it is out of date).

- `N_(text)` marks a text defined before anyone knows the language (a fault's cue on its class,
  a module constant); it returns it unchanged, and the code that shows it calls `_()` on it.
  The judgement keeps the English texts, so report.json and frames.csv are the same in every
  language.
- `_(text)` / `ngettext(one, many, n)` translate now, into the current language.
- `name_text(identifier)` shows a stable identifier ("hips_sagging") as words in the language.

The language: `set_language()` (the `--lang` option), else `FORMCHECK_LANG`, else `language` in
the user's settings file (`settings.toml` in the config folder), else the system locale; anything
unknown is English. `set_language` also sets `FORMCHECK_LANG`, so the worker processes of a
folder analysis speak the same language.
"""

from __future__ import annotations

import contextlib
import datetime
import gettext
import locale
import os
import tomllib
from pathlib import Path

from formcheck.errors import FormcheckError

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
DOMAIN = "formcheck"
LOCALE_DIR = Path(__file__).with_name("locale")
ENV = "FORMCHECK_LANG"
SETTINGS_FILE = "settings.toml"

_translations: gettext.NullTranslations | None = None
_language = DEFAULT_LANGUAGE


def N_(text: str) -> str:
    """Mark `text` for the catalogue without translating it (it is translated where shown)."""
    return text


def _(text: str) -> str:
    """`text` in the current language ('' stays '': gettext would return the catalogue's header)."""
    if not text:
        return text
    return _current().gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current().ngettext(singular, plural, n)


def name_text(identifier: str) -> str:
    """A stable identifier shown to a person: 'hips_sagging' -> 'hips sagging' / 'Hüfte hängt durch'.
    The catalogue holds each fault's, reason's and label's words (formcheck.lab.catalogue lists them)."""
    return _(identifier.replace("_", " "))


def signal_text(feature: str) -> str:
    """A signal's name in words, without its unit: 'body_angle_deg' -> 'body angle' / 'Körperwinkel'."""
    return name_text(signal_words(feature))


def signal_words(feature: str) -> str:
    return feature.removesuffix("_deg").removesuffix("_ratio").removesuffix("_s").replace("_", " ")


def label_text(label: str) -> str:
    """A side label in words: 'left' -> 'links'; 'knee_to_chest right' -> 'Knie zur Brust rechts'."""
    return " ".join(name_text(part) for part in label.split())


def language() -> str:
    """The current language code ('en' or 'de')."""
    _current()
    return _language


def set_language(code: str | None = None) -> str:
    """Speak `code` from now on (None: the configured or system language); returns the code used.
    An unknown code is one clear line."""
    global _translations, _language
    if code is None:
        code = configured_language()
    code = code.strip().lower()
    if code not in LANGUAGES:
        raise FormcheckError(f"unknown language {code!r}: choose one of {', '.join(LANGUAGES)}")
    _language = code
    if code == DEFAULT_LANGUAGE:
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])
    os.environ[ENV] = code
    return code


def _current() -> gettext.NullTranslations:
    if _translations is None:
        set_language(None)
    assert _translations is not None
    return _translations


def configured_language() -> str:
    """FORMCHECK_LANG, else the settings file's `language`, else the system locale's, else English."""
    env = os.environ.get(ENV, "").strip().lower()
    if env:
        return env if env in LANGUAGES else DEFAULT_LANGUAGE
    setting = settings_language()
    if setting:
        return setting
    return system_language()


def settings_path() -> Path:
    from formcheck.paths import config_dir

    return config_dir() / SETTINGS_FILE


def settings_language() -> str | None:
    """`language = "de"` in the user's settings.toml (None if no file or no such key)."""
    path = settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormcheckError(f"{path}: cannot read the settings file ({exc})") from exc
    value = data.get("language")
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise FormcheckError(f"{path}: language = {value!r}: choose one of {', '.join(LANGUAGES)}")
    return value.strip().lower()


def system_language() -> str:
    """The language of the system locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, then Python's
    locale), if formcheck speaks it, else English. 'de_AT.UTF-8' -> 'de'; 'C', 'POSIX' -> 'en'."""
    candidates = []
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            candidates.extend(value.split(":"))  # LANGUAGE is a list in order of preference
            break
    with contextlib.suppress(ValueError):  # a malformed locale name in the environment
        candidates.append(locale.getlocale()[0] or "")
    for name in candidates:
        code = name.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
        if code and code not in ("c", "posix"):
            return DEFAULT_LANGUAGE  # the user's first choice is a language formcheck does not speak
    return DEFAULT_LANGUAGE


# -- numbers for people ---------------------------------------------------------------------


def num(value: float, digits: int = 1) -> str:
    """A number for people in the current language: 12.3 / 12,3 (never in report.json or frames.csv,
    which stay machine-readable). NaN is '-'."""
    value = float(value)
    if value != value:
        return "-"
    from babel.numbers import format_decimal  # loaded only where numbers are shown

    fmt = "0." + "0" * digits if digits > 0 else "0"
    return format_decimal(round(value, digits) + 0.0, format=fmt, locale=language())


def sig_num(value: float) -> str:
    """Up to 3 significant digits, in the language: '0.123' / '0,123', '12.3', '1.5'."""
    from babel.numbers import format_decimal

    value = float(value)
    return "-" if value != value else format_decimal(value, format="@##", locale=language())


def signed_num(value: float) -> str:
    """With its sign, up to 3 significant digits, in the language: '+12.5' / '+12,5', '-0,012'."""
    from babel.numbers import format_decimal

    value = float(value)
    return "-" if value != value else format_decimal(value, format="+@##;-@##", locale=language())


def seconds_text(value: float, digits: int = 1) -> str:
    """'12.3 s' / '12,3 s'."""
    return _("{value} s").format(value=num(value, digits))


def degrees_text(value: float) -> str:
    """'172 deg' / '172 Grad' (the overlay's Hershey font has no degree sign)."""
    return _("{value} deg").format(value=num(value, 0))


def percent_text(share: float, digits: int = 0) -> str:
    """0.823 -> '82 %' (both languages put a space before the sign)."""
    return _("{value} %").format(value=num(100 * share, digits))


def decimal_symbol() -> str:
    """'.' or ',': for number formatting done elsewhere (matplotlib's tick labels)."""
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(language())


def date_text(moment: datetime.datetime | datetime.date, time: bool = True) -> str:
    """A date (and time) for people: '29.11.26, 18:30' / '11/29/26, 6:30 PM' (history, reports)."""
    from babel.dates import format_date, format_datetime

    if time and isinstance(moment, datetime.datetime):
        return format_datetime(moment, format="short", locale=language())
    return format_date(moment, format="medium", locale=language())
