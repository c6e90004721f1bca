"""Judging the targets over several passes of the suite (``--repeat N``).

The interleaved rounds of one pass cancel the drift between the two libraries
within minutes, but not the machine's state over longer spans: on the project's
2-core VM the ratio of one layer moved between 1.37x and 1.72x from one full run
to the next, with the same code.  So the suite can run its families N times over
and judge each target on the median of its N figures.  The summary also shows
every pass's figure and in how many passes the target was met.
"""
import statistics

from benchmarks.common import format_score, meets


def summarize_passes(passes):
    """One dict per target (family, workload) over ``passes`` (a list of row lists):
    its figure in each pass, their median and the verdict on the median."""
    by_target = {}
    for rows in passes:
        for row in rows:
            if row.target:
                by_target.setdefault((row.family, row.workload), []).append(row)
    summary = []
    for (family, workload), rows in by_target.items():
        scores = [r.score for r in rows if r.score is not None]
        first = rows[0]
        median = statistics.median(scores) if scores else None
        summary.append({
            "family": family, "workload": workload, "target": first.target,
            "scores": [None if r.score is None else round(r.score, 4) for r in rows],
            "median": None if median is None else round(median, 4),
            "verdict": meets(median, first.limit, first.at_most),
            "met_in": sum(bool(r.verdict) for r in rows), "passes": len(rows)})
    return summary


def print_summary(summary, out=print):
    """The targets judged on their medians, one line each, then a count."""
    if not summary:
        return
    out("")
    out(f"targets over {summary[0]['passes']} passes, judged on the median")
    for s in summary:
        if s["median"] is None:
            out(f"  {s['family']}/{s['workload']}: {s['target']}: no torch")
            continue
        every = " ".join(format_score(x, s["target"]) for x in s["scores"] if x is not None)
        out(f"  {s['family']}/{s['workload']}: {s['target']}: {'met' if s['verdict'] else 'NOT met'} "
            f"(median {format_score(s['median'], s['target'])}; passes {every}; "
            f"met in {s['met_in']} of {s['passes']})")
    judged = [s for s in summary if s["verdict"] is not None]
    out(f"  {sum(s['verdict'] for s in judged)} of {len(judged)} targets met on the median")
