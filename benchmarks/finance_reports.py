"""Are generated financial reports faithful, complete and varied? finance.report_vae against
template retrieval, on ECTSum val fact sets.

    python benchmarks/finance_reports.py [--json PATH] [--minutes 9] [--threads 2]

Trains on ECTSum train (+ TAT-QA dev sentences) for --minutes of wall clock, then the
same decoder without z for the same number of steps (the perplexity reference; it is
faster per step), and writes 5 reports for each ECTSum val fact set.
"Released" means the faithfulness filter passed the whole report and every fact is
stated. "release_rate" is per generated report as ``generate`` returns it (each sentence
redrawn up to max_tries times when the filter rejects it); "release_rate_one_draw"
allows no redraw (one report per fact set: a diagnostic, kept cheap). A sentence that
fails every draw is filled from a training template with the same slots when one passes
the filter (``fallback``), after one that another report of the same facts drew faithfully
(``share_sentences``), and last by a plain sentence built by rule from the facts
(``plain_fallback``, plainwriter.py; "plain_sentence_share", a part of the fallback share);
the "_without_fallback" figures count reports with any borrowed or rule-built sentence as
not released. Fact-set figures count the val fact sets that hold at
least one number (the others, e.g. "sji reaffirms guidance.", have nothing to state and
are never released; their count is printed). distinct-2 is measured among the 5 reports of
one fact set (then averaged): different z, different wording (``distinct``: a sentence
whose word pairs mostly repeat another report's is redrawn a few times, away from the
words used).
The corpus-wide figure is printed too, and over one released report per fact set next to
the human-written val summaries themselves (the ceiling real text sets for that figure).
The retrieval baseline is the issue's: a random training template with the same slot set,
filled from the facts. "retrieval_5_wordings_distinct_2" is retrieval made to use 5
different faithful training wordings per sentence: how varied 5 reports of one fact set
can be in the corpus's own words (each sentence keeps its facts' words). 50
released reports go to --audit for reading by hand, each next to the earnings-call
sentences its facts were parsed from; the fact sets that got no released report go to
--out/unreleased.md with each report's findings.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch

from aigc_plugins.finance.faithfulness import check_text
from aigc_plugins.finance.planning import (
    localise,
    plan_report,
    templates_stating,
)
from aigc_plugins.finance.sources import ECTSumSource, TatQASource
from aigc_plugins.finance.templates import metric_signature, realise
from aigc_plugins.finance.vae import ReportVAE, ReportVAEConfig, TokenDataset
from aigc_sdk.bundle import load_bundle
from aigc_sdk.training import TrainConfig, Trainer
from aigc_sdk.training.variational import active_units, kl_per_dim, mutual_information
from benchtable import report, shared_data

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"numeric_faithfulness": (">=", 1.0), "claim_correctness": (">=", 0.98),
           "release_rate": (">=", 0.95), "factsets_released_within_5": (">=", 0.995),
           "coverage": (">=", 0.99), "distinct_2": (">=", 0.65),
           "active_units": (">=", 0.5), "kl_nats": (">", 0.5), "train_minutes": ("<=", 20.0)}


def train(train_ds, cfg: ReportVAEConfig, minutes: float | None, steps: int, out: Path):
    torch.manual_seed(0)
    gen = ReportVAE(cfg, train_ds.schema)
    tc = TrainConfig(steps=steps, max_minutes=minutes, batch_size=64, log_every=100,
                     checkpoint_every=0, progress=False, tensorboard=False)
    trainer = Trainer(gen, train_ds, tc, out)
    trainer.fit()
    return gen, trainer.step


@torch.no_grad()
def heldout_stats(gen: ReportVAE, records) -> dict[str, float]:
    """Reconstruction perplexity, KL, active units and MI on val sentences (z ~ q)."""
    ds: TokenDataset = gen.prepare_eval(records)
    net = gen.modules()["vae"].eval()
    nll = tok = kl = mi = 0.0
    mus = []
    torch.manual_seed(0)
    for start in range(0, len(ds), 128):
        batch = ds.get_batch(torch.arange(start, min(start + 128, len(ds))))
        t = net.elbo_terms(batch, 0.0)
        n = batch["ids"].shape[0]
        nll += float(t.rec_nll) * n
        tok += float(t.n_tokens) * n
        if net.latent_dim:
            kl += float(kl_per_dim(t.mu, t.logvar).sum()) * n
            mi += float(mutual_information(t.mu, t.logvar, t.z)) * n
            mus.append(t.mu)
    n = len(ds)
    out = {"ppl": float(torch.tensor(nll / tok).exp()), "kl": kl / n, "mi": mi / n}
    out["active_units"] = float(active_units(torch.cat(mus))) if mus else 0.0
    return out


def distinct_2(texts: list[str]) -> float:
    grams, total = set(), 0
    for t in texts:
        words = t.split()
        pairs = list(zip(words, words[1:]))
        grams.update(pairs)
        total += len(pairs)
    return len(grams) / max(1, total)


def retrieval_index(records) -> list[str]:
    """Every training sentence's local template (repeats kept: retrieval draws by use)."""
    return [loc[0] for rec in records for template in rec.templates
            if (loc := localise(template, rec.facts)) is not None]


def retrieve(facts, templates: list[str], rng: random.Random) -> str:
    """Per sentence, a random training template stating exactly the required slots (and
    any of the plan's periods)."""
    sentences = []
    for plan in plan_report(facts):
        pool = templates_stating(plan, templates)
        if pool:
            sentences.append(realise(rng.choice(pool), plan.facts))
    return " ".join(sentences)


def five_wordings(facts, templates: list[str], rng: random.Random, n: int = 5) -> list[str] | None:
    """n reports whose every sentence uses n different faithful training wordings (fewer
    where the corpus has fewer); None when a sentence has none."""
    per_sentence = []
    for plan in plan_report(facts):
        pool = list(dict.fromkeys(templates_stating(plan, templates)))
        rng.shuffle(pool)
        ok: list[str] = []
        for t in pool:
            text = realise(t, plan.facts)
            if check_text(plan.facts, text).faithful:
                ok.append(text)
                if len(ok) == n:
                    break
        if not ok:
            return None
        per_sentence.append(ok)
    return [" ".join(o[k % len(o)] for o in per_sentence) for k in range(n)] \
        if per_sentence else None


def score(facts_and_texts) -> dict[str, float]:
    """Release, faithfulness, claims and coverage over (facts, text, released) rows."""
    rows = list(facts_and_texts)
    released = [(f, t) for f, t, ok in rows if ok]
    num = sup = claims = correct = req = cov = 0
    for f, t in released:
        d = check_text(f, t)
        num, sup = num + d.numbers_checked, sup + d.numbers_supported
        claims, correct = claims + d.claims_checked, correct + d.claims_correct
    for f, t, _ in rows:
        d = check_text(f, t)
        req, cov = req + d.facts_requested, cov + d.facts_covered
    return {"release_rate": len(released) / max(1, len(rows)),
            "numeric_faithfulness": sup / max(1, num),
            "claim_correctness": correct / max(1, claims),
            "coverage": cov / max(1, req), "distinct_2": distinct_2([t for _, t in released])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=9.0,
                    help="VAE training budget; the decoder without z then trains as many "
                    "steps (the time line holds both: 16.4 of the issue's 20 minutes in v22, "
                    "1700 VAE steps; 6.5 minutes gave 1300 steps on a slow day)")
    ap.add_argument("--no-reference", action="store_true",
                    help="skip the decoder without z (quick experiments)")
    ap.add_argument("--max-tries", type=int, help="draws per sentence (default: the model's)")
    ap.add_argument("--bundle", type=Path, help="evaluate this trained bundle (no training, "
                    "no reference decoder): to re-measure generation changes")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=JSON",
                    help="override a generation setting of ReportVAEConfig (with --bundle: "
                    "re-measure it on a trained model), e.g. --set word_gate=false")
    ap.add_argument("--reports", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench_finance")
    ap.add_argument("--audit", type=Path, default=ROOT / "runs" / "bench_finance" / "audit.md")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    data = shared_data() / "finance"
    train_src = ECTSumSource(data / "ectsum_train.jsonl")
    train_src.records += TatQASource(data / "tatqa_dev.json").records
    val = ECTSumSource(data / "ectsum_val.jsonl").records
    # KL annealing cycles are counted in steps; a wall-clock budget fixes their length
    cfg = ReportVAEConfig()
    cfg.vae.kl_cycle_steps = 250
    if args.bundle:
        gen, steps = load_bundle(args.bundle), float("nan")
    else:
        gen, steps = train(train_src, cfg, args.minutes, 1_000_000, args.out / "vae")
        gen.save_pretrained(args.out / "vae" / "bundle")
    overrides = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    if args.max_tries:
        overrides["max_tries"] = args.max_tries
    if overrides:
        gen.config = gen.cfg.model_copy(update=overrides)
    vae_stats = heldout_stats(gen, val)
    base_stats = {"ppl": float("nan")}
    if not (args.no_reference or args.bundle):
        base, _ = train(train_src, cfg.model_copy(update={"latent_dim": 0}), None, steps,
                        args.out / "no_z")
        base_stats = heldout_stats(base, val)
    t_train = time.perf_counter()

    seen = {metric_signature(r.facts) for r in train_src.records}
    rows_single, rows_model, rows_retrieval, unseen_rows = [], [], [], []
    per_set_d2, per_set_d2_retrieval, per_set_d2_wordings = [], [], []
    factsets_ok = factsets_model_only = fallback_sentences = shared_sentences = 0
    plain_sentences = 0
    sentences = reportable = 0
    model_only: list[bool] = []
    unreleased: list[str] = []  # fact sets with no released report: why, for reading
    rng, rng_wordings = random.Random(0), random.Random(1)
    index = retrieval_index(train_src.records)
    for i, rec in enumerate(val):
        samples = gen.generate(args.reports, rec.facts, seed=1000 + i)
        rows = [(rec.facts, t, m["released"]) for t, m in zip(samples.data, samples.metadata)]
        rows_model += rows
        released = [t for t, m in zip(samples.data, samples.metadata) if m["released"]]
        if len(released) > 1:
            per_set_d2.append(distinct_2(released))
        reportable += bool(plan_report(rec.facts))
        factsets_ok += any(ok for *_, ok in rows)
        if plan_report(rec.facts) and not any(ok for *_, ok in rows):
            unreleased += [f"## val set {i}", "", "source: " + rec.text, "",
                           "facts: " + fact_values(rec.facts), ""] + [
                f"- {t}\n  - " + "\n  - ".join(m["findings"] or ["(a sentence never drawn)"])
                for t, m in zip(samples.data, samples.metadata)] + [""]
        alone = [m["released"] and not m["fallback_sentences"] and not m["shared_sentences"]
                 for m in samples.metadata]
        model_only += alone
        factsets_model_only += any(alone)
        fallback_sentences += sum(m["fallback_sentences"] for m in samples.metadata)
        plain_sentences += sum(m["plain_sentences"] for m in samples.metadata)
        shared_sentences += sum(m["shared_sentences"] for m in samples.metadata)
        sentences += len(plan_report(rec.facts)) * args.reports
        if metric_signature(rec.facts) not in seen:
            unseen_rows += rows
        one = gen.write(rec.facts, 1, seed=5000 + i, max_tries=1, fallback=False)
        rows_single += [(rec.facts, r["text"], r["released"]) for r in one]
        texts = [retrieve(rec.facts, index, rng) for _ in range(args.reports)]
        ok = []
        for text in texts:
            d = check_text(rec.facts, text)
            ok.append(d.faithful and d.coverage == 1.0)
            rows_retrieval.append((rec.facts, text, ok[-1]))
        if sum(ok) > 1:
            per_set_d2_retrieval.append(distinct_2([t for t, k in zip(texts, ok) if k]))
        wordings = five_wordings(rec.facts, index, rng_wordings, args.reports)
        if wordings:
            per_set_d2_wordings.append(distinct_2(wordings))
    model = score(rows_model)
    # corpus-wide over one released report per fact set, next to the human summaries
    # themselves: what the 0.65 can be compared with
    first_model = list({id(f): t for f, t, ok in reversed(rows_model) if ok}.values())
    first_retrieval = list({id(f): t for f, t, ok in reversed(rows_retrieval) if ok}.values())
    res = {
        "train_steps": steps, "val_factsets": len(val), "reports_per_factset": args.reports,
        **{k: model[k] for k in ("numeric_faithfulness", "claim_correctness", "coverage")},
        "distinct_2": sum(per_set_d2) / len(per_set_d2),
        "retrieval_distinct_2": sum(per_set_d2_retrieval) / len(per_set_d2_retrieval),
        "retrieval_5_wordings_distinct_2": sum(per_set_d2_wordings) / len(per_set_d2_wordings),
        "distinct_2_corpus": model["distinct_2"],
        "distinct_2_one_per_set": distinct_2(first_model),
        "retrieval_distinct_2_one_per_set": distinct_2(first_retrieval),
        "distinct_2_human_summaries": distinct_2([r.text for r in val]),
        "release_rate": model["release_rate"],
        "release_rate_one_draw": score(rows_single)["release_rate"],
        "factsets_without_numbers": len(val) - reportable,
        "factsets_released_within_5": factsets_ok / reportable,
        "release_rate_without_fallback": sum(model_only) / len(model_only),
        "factsets_released_without_fallback": factsets_model_only / reportable,
        "fallback_sentence_share": fallback_sentences / max(1, sentences),
        "plain_sentence_share": plain_sentences / max(1, sentences),
        "shared_sentence_share": shared_sentences / max(1, sentences),
        **{f"retrieval_{k}": v for k, v in score(rows_retrieval).items()},
        "unseen_factsets": len(unseen_rows) // args.reports,
        **{f"unseen_{k}": v for k, v in score(unseen_rows).items()
           if k in ("release_rate", "coverage")},
        "kl_nats": vae_stats["kl"], "mi_nats": vae_stats["mi"],
        "active_units": vae_stats["active_units"], "rec_ppl": vae_stats["ppl"],
        "rec_ppl_decoder_without_z": base_stats["ppl"],
        "train_minutes": (t_train - t0) / 60, "threads": args.threads,
        "minutes_total": (time.perf_counter() - t0) / 60,
    }
    write_audit(args.audit, rows_model, {id(r.facts): r.text for r in val})
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "unreleased.md").write_text("\n".join(
        ["# fact sets with no released report in 5", ""] + unreleased))
    report(f"finance.report_vae on ECTSum val, {res['threads']} threads, "
           f"{res['minutes_total']:.1f} min in all", res, TARGETS, args.json)


def _period(facts, k: int) -> str:
    """A period as written and in full ("q2 = quarter 2 of 2021")."""
    p = facts.periods[k]
    part = {"quarter": f"q{p.quarter}", "half": f"h{p.half}",
            "month": f"month {p.month}"}.get(p.kind, p.kind)
    return f"'{p.render()}' = {part} {p.year or 'no year'}"


def fact_values(facts) -> str:
    """Each metric's words, direction and every field as written, for the audit."""
    rows = []
    for k, m in enumerate(facts.metrics):
        # format() writes a field with its bound words ("over 100") and counted noun
        fields = ", ".join(f"{f} {m.format(f)}{' ' + m.counted if m.counted else ''}"
                           for f in m.fields())
        extra = [f"source words '{m.surface}'" if m.surface and m.surface != m.phrase() else "",
                 f"qualifier '{m.qualifier}'" if m.qualifier else "",
                 f"period {_period(facts, m.period)}" if m.period is not None else "",
                 f"compared with {_period(facts, m.prior_period)}"
                 if m.prior_period is not None else "",
                 {"year": "change year over year", "quarter": "change sequential"}.get(
                     m.basis or "", ""),
                 "negative" if any((m.get(f) or 0) < 0 for f in m.fields()) else ""]
        rows.append(f"m{k} {m.phrase() or m.name} [{m.name}, {m.direction or 'no direction'}"
                    f"{', guidance' if m.guidance else ''}"
                    f"{''.join(', ' + e for e in extra if e)}]: {fields}")
    return "; ".join(rows)


def write_audit(path: Path, rows, sources: dict[int, str]) -> None:
    """50 released reports, each beside the earnings-call sentences its facts came from,
    so a reader judges the claims against the source, not against the parser's facts."""
    released = [(f, t) for f, t, ok in rows if ok]
    pick = random.Random(1).sample(released, min(50, len(released)))
    lines = ["# 50 released reports to audit by hand", ""]
    for k, (facts, text) in enumerate(pick, 1):
        claims = [f"{c.text} -> {c.claimed_metric} {c.claimed_field}"
                  for c in check_text(facts, text).checks if c.claimed_metric]
        lines += [f"## {k}", "", "source: " + sources[id(facts)], "",
                  "facts: " + fact_values(facts), "", "text: " + text, "",
                  "claims the filter checked: " + "; ".join(claims), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))



if __name__ == "__main__":
    main()
