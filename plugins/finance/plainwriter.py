"""The last resort of ``write``: a plain sentence built from the facts by rule.

The decoder and the training templates cover almost every sentence plan, but a rare mix
(an unknown metric with a raised range and its change, "increased nfeps guidance for
fiscal 2022 by $0.15 to a range of $2.20 to $2.30") can have neither a draw that passes
nor a training template that states exactly its slots, and its fact set then goes
unreleased however often it is redrawn (ECTSum val set 159, v35 and v36). A bank would
rather read "sees fiscal 2022 nfeps of $2.20 to $2.30, up $0.15." than nothing.

The sentences are templates over the plan's slots, so they pass through the same
``accept`` as a draw: the word rules, the qualifier, sign and counted-noun repairs and the
faithfulness filter decide. A shape the filter does not read back as the facts is simply
not released. They are counted as fallback sentences, never as the model's.
"""

from __future__ import annotations

from aigc_plugins.finance.facts import FinancialFacts, MetricFact
from aigc_plugins.finance.planning import is_share

#: how a clause joins a level to the metric's name, for a result and for an outlook
_LINKS = {False: (" of ", " was ", " "), True: (" of ", " to be ", " ")}


def _range(k: int, low: str, high: str, m: MetricFact) -> str:
    """A field and the top of its range, a count with its noun ("12 to 16 months")."""
    text = f"<m{k}.{low}>" + (f" to <m{k}.{high}>" if m.get(high) is not None else "")
    return text + (f" {m.counted}" if m.counted and m.unit_of(low) == "count" else "")


def _clause(k: int, m: MetricFact, link: str, dated: bool) -> str | None:
    """One metric's words: period (unless ``dated``: said already), name, level, change,
    prior level, estimate."""
    if not m.phrase():
        return None  # an unknown metric without words: nothing can name it
    words = f"<p{m.period}> " if m.period is not None and not dated else ""
    has_value = m.value is not None
    if is_share(m) and has_value:  # "0.09% of average total loans"
        words += _range(k, "value", "high", m) + f" of <m{k}.name>"
    else:
        if m.bounds.get("value", "").startswith("exceed"):  # "ebitda to exceed $215 million"
            link = " to " if m.guidance else " "
        words += f"<m{k}.name>" + (link + _range(k, "value", "high", m) if has_value else "")
    if m.change is not None:
        moved = {"up": "up", "down": "down"}.get(m.direction or "", "a change of")
        words += (", " if has_value else " ") + moved + " " + _range(k, "change",
                                                                     "change_high", m)
        words += {"year": " year over year", "quarter": " sequentially"}.get(m.basis or "", "")
    if m.prior_value is not None:
        join = ", versus " if has_value else " from " if m.change is not None else " versus "
        words += join + _range(k, "prior", "prior_high", m)
        if m.prior_period is not None and m.prior_period != m.period:
            words += f" in <p{m.prior_period}>"
    if m.estimate is not None:
        words += f", versus street estimate of <m{k}.estimate>"
    return words


def plain_templates(facts: FinancialFacts) -> list[str]:
    """Templates stating every field of every metric of a sentence plan's local facts,
    in a few plain shapes (most natural first); [] when a metric cannot be named."""
    out: list[str] = []
    outlook = any(m.guidance for m in facts.metrics)
    for link in _LINKS[outlook]:
        clauses = [_clause(k, m, link, k > 0 and m.period is not None and
                           m.period == facts.metrics[0].period)
                   for k, m in enumerate(facts.metrics)]
        if not clauses or any(c is None for c in clauses):
            return []
        body = " and ".join(c for c in clauses if c is not None)
        for lead in (("sees ", "expects ") if outlook else ("",)):
            template = f"{lead}{body}."
            if template not in out:
                out.append(template)
    return out
