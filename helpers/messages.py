"""What helpers print to a student, in the student's language: one :class:`Catalog` of messages per module.

The language is :func:`helpers.config.language` (``EIAM_LANG``: unset for English, ``zh`` for 简体中文), read
each time a message is made, so setting the variable takes effect at the next message. A module defines its
messages once, each under a key with its English and Chinese text, as :meth:`str.format` templates with the
same named fields::

    msg = Catalog(__name__, {
        "no_file": ("{what}: no file at {path}.", "{what}：{path} 处没有文件。"),
    })
    raise DataFileError(msg("no_file", what="MNIST", path=path))

A catalog checks, when it is built, that every message has both languages with the same fields, and, when a
message is made, that it is given exactly those fields; ``tests/test_messages.py`` also checks every call of
every catalog in ``helpers`` against its keys and fields without running it.

Why not the standard library's :mod:`gettext`: it reads compiled ``.mo`` files, which would be committed
binaries or a build step before ``pip install``; it keys translations by the English sentence, so an English edit
silently drops its translation; and it cannot check that both languages use the same fields. Two dozen lines
here keep both texts side by side, beside the code that uses them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from helpers import config

#: The languages every message has, in the order a catalog's entries give them.
LANGUAGES = ("en", "zh")


def fields(template: str) -> frozenset[str]:
    """The names of the fields of a :meth:`str.format` template, e.g. ``{"path", "what"}``."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


class Catalog:
    """The messages of one module: key -> (English, Chinese) templates with the same fields.

    Args:
        module: the module's name (``__name__``), for error messages.
        messages: key -> ``(en, zh)``.

    Raises:
        ValueError: a message lacks a language, or its two texts have different fields (the message names the key).
    """

    def __init__(self, module: str, messages: Mapping[str, tuple[str, str]]) -> None:
        self.module = module
        self._messages: dict[str, dict[str, str]] = {}
        for key, texts in messages.items():
            if not isinstance(texts, tuple) or len(texts) != len(LANGUAGES) or not all(
                    isinstance(text, str) and text for text in texts):
                raise ValueError(f"{module}: message {key!r} must be a tuple of {len(LANGUAGES)} non-empty texts, "
                                 f"one per language {LANGUAGES}.")
            by_language = dict(zip(LANGUAGES, texts))
            names = {language: fields(text) for language, text in by_language.items()}
            if len(set(names.values())) != 1:
                raise ValueError(f"{module}: message {key!r} has different fields in its languages: "
                                 + ", ".join(f"{language} {sorted(found)}" for language, found in names.items())
                                 + ". Give every language the same fields.")
            self._messages[key] = by_language

    def keys(self) -> list[str]:
        """The catalog's keys, in the order they were defined."""
        return list(self._messages)

    def fields(self, key: str) -> frozenset[str]:
        """The fields message ``key`` needs."""
        return fields(self._template(key, LANGUAGES[0]))

    def text(self, key: str, language: str) -> str:
        """The template of message ``key`` in ``language`` (``"en"`` or ``"zh"``), unformatted."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}.")
        return self._template(key, language)

    def __call__(self, key: str, /, **values: object) -> str:
        """Message ``key`` in the student's language (:func:`helpers.config.language`), its fields filled in."""
        return self.render(key, config.language(), **values)

    def render(self, key: str, language: str, /, **values: object) -> str:
        """Message ``key`` in ``language``, its fields filled in with ``values`` (exactly the message's fields)."""
        template = self.text(key, language)
        expected = fields(template)
        if set(values) != expected:
            raise TypeError(f"{self.module}: message {key!r} takes the fields {sorted(expected)}, "
                            f"got {sorted(values)}.")
        return template.format(**values)

    def every_language(self, key: str, /, **values: object) -> tuple[str, ...]:
        """Message ``key`` in every language, in the order of :data:`LANGUAGES` (to recognise it in output)."""
        return tuple(self.render(key, language, **values) for language in LANGUAGES)

    def _template(self, key: str, language: str) -> str:
        try:
            return self._messages[key][language]
        except KeyError:
            raise KeyError(f"{self.module} has no message {key!r}; its messages are {self.keys()}.") from None
