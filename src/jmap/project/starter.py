"""`jmap init`: a commented starter journey that editors can complete and check."""

from __future__ import annotations

import os
from pathlib import Path

from jmap.fsutil import write_atomic
from jmap.loading.load import find_root
from jmap.resources import schema_text

STARTER = """\
# yaml-language-server: $schema={schema}
# A customer-journey map. Build it with `jmap build {name}`; the format is
# documented in docs/format.md of jmap, or run `jmap schema`.
jmap: 1
title: First purchase in our online shop
description: How a new customer finds us and places a first order.
owner: CX team

personas:
  - id: alex
    name: Alex Morgan
    role: Busy parent, shops on the phone
    quote: I want to be done in five minutes.
    goals:
      - Get the right thing without a return

research:
  - id: interviews
    kind: interview
    title: Eight customer interviews
    date: 2026-10

stages:
  - id: discover
    name: Discover
    actions:
      - Sees an ad on social media
    touchpoints:
      - {{channel: social, name: Instagram ad}}
    thoughts:
      - text: Is this shop trustworthy?
        evidence: [interviews]
    emotion: 1  # -2 (very negative) .. +2 (very positive)

  - id: buy
    name: Buy
    actions:
      - Pays with a saved card
    emotion: -1
    pain_points:
      - text: Shipping costs appear only at the last step
        severity: high  # low | medium | high | critical
        evidence: [interviews]
    opportunities:
      - text: Show shipping costs on the product page
        priority: high
        owner: web team
        evidence: [interviews]
    moment_of_truth: Will it arrive in time?
"""


def write_starter(path: Path) -> list[Path]:
    """Write the starter map and, once per project, the schema editors read."""
    root = find_root(path.parent if path.parent != Path("") else Path("."))
    schema_file = root / ".jmap" / "journey.schema.json"
    written = []
    if not schema_file.exists():
        write_atomic(schema_file, schema_text().encode("utf-8"))
        written.append(schema_file)
    relative = Path(os.path.relpath(schema_file, path.resolve().parent)).as_posix()
    write_atomic(path, STARTER.format(schema=relative, name=path.name).encode("utf-8"))
    written.append(path)
    return written
