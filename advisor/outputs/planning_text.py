"""The planning sections analyze adds below the plan (scenarios, migration waves, the
multi-year budget), in the terminal table or in Markdown."""

from __future__ import annotations

from typing import Any

from advisor.placement.plan import Plan


def sections(plan: Plan, runs: Any, waves: Any, years: Any, *, markdown: bool) -> str:
    """Each section asked for (None: not asked), after a blank line."""
    from advisor.outputs import budget_text, scenarios_text, waves_text
    from advisor.outputs.escape import terminal_text

    out = ""
    for value, module in ((runs, scenarios_text), (waves, waves_text), (years, budget_text)):
        if value is not None:
            render = module.render_markdown if markdown else module.render_table
            out += "\n" + render(plan, value).rstrip() + "\n"
    return out if markdown else terminal_text(out)
