"""The `fluxkit` command run in-process through main(), as a shell would run it."""

from __future__ import annotations

import io
import sys

from fluxkit import cli

GOOD_PASSWORD = "violet-harbour-lantern"


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `fluxkit *argv` with `stdin` typed in; never a traceback."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
