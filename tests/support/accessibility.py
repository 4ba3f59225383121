"""axe-core in the browser tests: injected into the page by Playwright, never bundled in the app.

axe-core is pinned in tests/support/axe/package.json (and its lockfile); the first use runs
`npm ci` there if it is not installed yet.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


def axe_source() -> str:
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install axe-core for the accessibility tests")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, check=True, timeout=300)
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """axe's violations of the given impacts on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    found = page.evaluate(
        """async () => {
            // react-dropzone's own <input type=file> is hidden and unreachable; the labelled drop
            // zone around it is the control people use (and axe checks that one).
            const result = await axe.run({exclude: [['input[type="file"]']]}, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160)
                    + ' :: ' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 200))
            }));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in impacts]
