"""What the command line's options accept, declared once for the typer commands and the quick parser.

Imports nothing (no typer, click or rich): the quick `jmap build` reads it on its way in.
"""

from __future__ import annotations

#: The largest --max-bytes: what one read() takes.
MAX_BYTES_FLAG = 2**31 - 1
