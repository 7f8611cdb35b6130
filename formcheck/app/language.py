"""`--lang de|en` on every command: one option, added to each sub-command by walking the parser
(so a command added later gets it too), and applied before the command runs."""

from __future__ import annotations

import argparse

from formcheck.i18n import LANGUAGES, set_language


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = []
    for action in parser._actions:  # argparse keeps sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                found += [sub, *_subparsers(sub)]
    return found


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """`--lang` on the parser and every sub-command under it. SUPPRESS as the default, so a
    sub-command's parser never resets what was given before it (`formcheck --lang de samples where`)."""
    for p in [parser, *_subparsers(parser)]:
        p.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help="language of cues, overlay and summaries (default: settings.toml's language, "
            "else the system locale, else en)",
        )


def apply_language(args: argparse.Namespace) -> str:
    """Set the language the command speaks: --lang, else the configured or system one."""
    return set_language(getattr(args, "lang", None))
