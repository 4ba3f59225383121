"""Markdown as FluxKit shows it (task and event descriptions, mail bodies, FAQ answers).

Reflex's `rx.markdown` renders fenced code with a syntax highlighter (react-syntax-highlighter
and its Prism themes, the largest library a page would load for it); a plain monospace block
says the same here, so pages that show markdown do not load it.
"""

from __future__ import annotations

import reflex as rx


def _code_block(value: object, language: object = None, **props) -> rx.Component:
    return rx.el.pre(
        rx.el.code(value),
        style={
            "fontFamily": "var(--code-font-family)",
            "fontSize": "0.9em",
            "whiteSpace": "pre-wrap",
            "overflowWrap": "anywhere",
            "padding": "0.75em 1em",
            "margin": "1em 0",
            "borderRadius": "var(--radius-2)",
            "background": "var(--gray-a3)",
        },
    )


def markdown(text: rx.Var[str] | str, **props) -> rx.Component:
    """Untrusted text as markdown: no raw HTML, no maths, code blocks plain."""
    return rx.markdown(
        text, use_raw=False, use_math=False, use_katex=False, component_map={"pre": _code_block}, **props
    )
