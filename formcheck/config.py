"""Thresholds: shipped defaults (thresholds.toml), a user's override file, a strictness level.

A `--config` given as a bare file name that is not in the working folder is looked for in the
user's config folder (formcheck.paths.config_dir), where a user keeps the files they reuse.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.paths import config_dir

DEFAULTS_FILE = Path(__file__).with_name("thresholds.toml")
STRICTNESS = {"beginner": 1.25, "standard": 1.0, "strict": 0.8}
COMMON = "common"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise FormcheckError(f"{path}: no such config file") from exc
    except IsADirectoryError as exc:
        raise FormcheckError(f"{path}: is a folder, not a config file") from exc
    except OSError as exc:
        raise FormcheckError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8-sig")  # TOML is UTF-8; a BOM from a Windows editor is harmless
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormcheckError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})") from exc
    try:
        return tomllib.loads(text)
    # ValueError covers TOMLDecodeError and integers too long to convert; RecursionError, nesting.
    except (ValueError, RecursionError) as exc:
        raise FormcheckError(f"{path}: not valid TOML ({_short(exc)})") from exc


def _name(text: str) -> str:
    """A user's table or key name as typed, or quoted and escaped if it holds control characters."""
    return text if text.isprintable() and len(text) <= 80 else _short(text)


def _short(value: object) -> str:
    """One line of at most ~80 characters for an error message."""
    text = " ".join(str(value).split()) if isinstance(value, BaseException) else repr(value)  # repr escapes \n
    return text if len(text) <= 80 else text[:77] + "..."


def find_config(name: str | Path) -> Path:
    """The `--config` file: as given if it exists, else the same bare name in the user's config
    folder; missing from both, one line naming both places."""
    path = Path(name).expanduser()
    if path.exists():
        return path  # (a folder is refused when read, with its own message)
    bare = len(path.parts) == 1
    if bare and (config_dir() / path).is_file():
        return config_dir() / path
    raise FormcheckError(f"{path}: no such config file" + (f" (nor in {config_dir()})" if bare else ""))


def default_tables() -> dict[str, dict[str, float]]:
    return _read_toml(DEFAULTS_FILE)


# The largest sane value of a threshold, by the unit its name ends with: an angle between body
# segments is at most 180 deg; ratios are shares of a torso or frame (the largest default is 1.6,
# a whole body is about 3 torsos); timings are fractions of a hold, so 10 minutes is already
# absurd. Keys with no unit suffix (rep lines, hysteresis) are in degrees or hundredths of a
# ratio, both within 180.
UNIT_BOUNDS = {"_deg": (180.0, "degrees"), "_ratio": (10.0, "a ratio"), "_s": (600.0, "seconds")}
OTHER_BOUND = (180.0, "degrees or hundredths of a ratio")


def unit_bound(key: str) -> tuple[float, str]:
    if key == "min_visibility":
        return 1.0, "a probability"
    return next((bound for suffix, bound in UNIT_BOUNDS.items() if key.endswith(suffix)), OTHER_BOUND)


def _check_value(where: str, value: Any, key: str = "", default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormcheckError(f"{where} must be a number, got {_short(value)}")
    try:
        value = float(value)
    except OverflowError:  # an integer of hundreds of digits
        value = math.inf
    if not math.isfinite(value):
        raise FormcheckError(f"{where} must be a finite number, got {value!r}")
    if value < 0 <= default:  # signed lines (e.g. a rep's top line below the knee-shoulder line) may be < 0
        raise FormcheckError(f"{where} must be a finite number >= 0, got {value!r}")
    bound, unit = unit_bound(key)
    if key == "min_visibility" and value > 1:
        raise FormcheckError(f"{where} must be between 0 and 1, got {value!r}")
    if value > bound:
        raise FormcheckError(f"{where} must be at most {bound:g} ({unit}), got {value:g}")
    if value < -bound:
        raise FormcheckError(f"{where} must be at least {-bound:g} ({unit}), got {value:g}")
    return value


def validate_overrides(user: dict[str, Any], source: str) -> dict[str, dict[str, float]]:
    """Check a user's tables against the defaults: unknown tables, keys and bad values fail."""
    defaults = default_tables()
    checked: dict[str, dict[str, float]] = {}
    for table, values in user.items():
        if table == "strictness":
            continue
        if table not in defaults:
            known = ", ".join(sorted(defaults))
            raise FormcheckError(f"{source}: unknown table [{_name(table)}] (known: {known})")
        if not isinstance(values, dict):
            raise FormcheckError(f"{source}: '{table}' must be a table of thresholds")
        allowed = set(defaults[table]) | set(defaults[COMMON])
        checked[table] = {}
        for key, value in values.items():
            if key not in allowed:
                raise FormcheckError(f"{source}: unknown key '{table}.{_name(key)}'")
            default = defaults[table].get(key, defaults[COMMON].get(key, 0.0))
            checked[table][key] = _check_value(f"{source}: '{table}.{key}'", value, key, default)
    return checked


def strictness_level(config_file: str | Path | None = None, strictness: str | None = None) -> str:
    """The strictness a run uses, as its report records it: `--strictness`, else the config
    file's own `strictness`, else standard (load_thresholds has already refused a bad one)."""
    if strictness is None and config_file is not None:
        strictness = _read_toml(find_config(config_file)).get("strictness")
    return strictness if isinstance(strictness, str) and strictness in STRICTNESS else "standard"


def load_thresholds(
    exercise: str,
    config_file: str | Path | None = None,
    strictness: str | None = None,
    tolerances: tuple[str, ...] = (),
) -> dict[str, float]:
    """The thresholds one exercise runs with: defaults < user file, then strictness scaling."""
    defaults = default_tables()
    if exercise not in defaults:
        raise FormcheckError(f"no thresholds for exercise '{exercise}'")
    values = {**defaults[COMMON], **defaults[exercise]}
    source = ""
    if config_file is not None:
        config_file = find_config(config_file)
        user = _read_toml(config_file)
        checked = validate_overrides(user, str(config_file))
        values.update(checked.get(COMMON, {}))
        values.update(checked.get(exercise, {}))
        if strictness is None and "strictness" in user:
            strictness = user["strictness"]
            source = f"{config_file}: "  # name the file the bad level came from
    level = strictness or "standard"
    if not isinstance(level, str) or level not in STRICTNESS:
        raise FormcheckError(f"{source}strictness must be one of {', '.join(STRICTNESS)}, got {_short(level)}")
    factor = STRICTNESS[level]
    for key in tolerances:
        values[key] = values[key] * factor
    return {key: float(v) for key, v in values.items()}
