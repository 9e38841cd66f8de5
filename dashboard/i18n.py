"""Dashboard: the interface language (Chinese first, English on request).

Every text the pages show is a key of the message catalogue (``radar/locales``,
section ``dashboard`` and the ``label`` tables); :mod:`dashboard.widgets` gives
pages ``t(key)``, ``label(table, code)`` and the reader's :class:`~radar.i18n.Locale`.
"""

from __future__ import annotations

from radar.i18n import LANGS, Lang, Locale, label, language, translate

__all__ = ["LANGS", "Lang", "Locale", "label", "language", "translate"]
