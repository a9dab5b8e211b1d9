"""The scale benchmark's table: each figure, its ratio to its baseline, and latency growth with size."""

from __future__ import annotations

from typing import Any

from bench.scale import BASELINES, CASES, TARGET

GROWTH_LIMIT = 2.0


def _ratio(run: dict[str, Any], name: str, baseline: str) -> float | None:
    page, base = run["pages"].get(name, {}), run["pages"].get(BASELINES.get(baseline, ""), {})
    if not page.get("requests_per_s") or not base.get("requests_per_s"):
        return None
    return page["requests_per_s"] / base["requests_per_s"]


def table(runs: list[dict[str, Any]]) -> str:
    lines = []
    for run in runs:
        lines += [
            "",
            f"### {run['database']}, {run['size']:,} agreements",
            "",
            "| Page | req/s | p50 ms | p99 ms | ratio to baseline | target | met |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for name, _path, _who, baseline, target in CASES:
            page = run["pages"].get(name)
            if not page or not page.get("requests_per_s"):
                note = (page or {}).get("note", "not run")
                lines.append(f"| {name} | n/a | | | | | {note} |")
                continue
            ratio = _ratio(run, name, baseline) if baseline else None
            goal = f"≥ {TARGET} of {baseline}" if target else ""
            met = "" if not target or ratio is None else ("yes" if ratio >= TARGET else "**no**")
            lines.append(
                f"| {name} | {page['requests_per_s']:.1f} | {page['p50_ms']:.1f} | {page['p99_ms']:.1f} | "
                f"{'' if ratio is None else f'{ratio:.2f}'} | {goal} | {met} |"
            )
        memory = run.get("memory")
        if memory:
            growth = memory["max_growth"]
            readings = "; ".join(
                f"{r['requests']:,} requests: " + ", ".join(f"{kib / 1024:.1f} MiB" for kib in r["rss_kib"].values())
                for r in memory["readings"]
            )
            flat = "flat within 10%" if abs(growth) <= 0.10 else "**more than 10%**"
            lines.append(
                f"\nWorker memory (RSS of each worker) after {readings}; largest growth {growth:+.1%} ({flat})."
            )
    lines += growth_table(runs)
    return "\n".join(lines) + "\n"


def growth_table(runs: list[dict[str, Any]]) -> list[str]:
    """Median latency at the largest size over the smallest, per database and page (target: at most 2)."""
    lines: list[str] = []
    for database in dict.fromkeys(run["database"] for run in runs):
        mine = sorted((r for r in runs if r["database"] == database), key=lambda r: r["size"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        lines += [
            "",
            f"### {database}: median latency growth, {small['size']:,} → {large['size']:,} agreements",
            "",
            "Growth ÷ baseline: the page's growth over its own baseline's growth between the two runs "
            "(the baselines do no more work at a larger size, so their growth is the machine's load changing).",
            "",
            "| Page | p50 ms small | p50 ms large | growth | growth ÷ baseline | at most 2× |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for name, _path, _who, baseline, _target in CASES:
            a, b = small["pages"].get(name, {}), large["pages"].get(name, {})
            if not a.get("p50_ms") or not b.get("p50_ms"):
                lines.append(f"| {name} | n/a | n/a | | | |")
                continue
            growth = b["p50_ms"] / a["p50_ms"]
            base_a = small["pages"].get(BASELINES.get(baseline, ""), {}).get("p50_ms")
            base_b = large["pages"].get(BASELINES.get(baseline, ""), {}).get("p50_ms")
            relative = f"{growth / (base_b / base_a):.2f}×" if base_a and base_b else ""
            lines.append(
                f"| {name} | {a['p50_ms']:.1f} | {b['p50_ms']:.1f} | {growth:.2f}× | {relative} | "
                f"{'yes' if growth <= GROWTH_LIMIT else '**no**'} |"
            )
    return lines


def merged() -> list[dict[str, Any]]:
    """Every run in bench/results/scale*.json, the latest of each database and size, smallest first."""
    import json

    from bench.scale import RESULTS

    runs: dict[tuple[str, int], dict[str, Any]] = {}
    for path in sorted(RESULTS.glob("scale*.json")):
        for run in json.loads(path.read_text()):
            key = (run["database"], run["size"])
            if key not in runs or run["finished_at"] > runs[key]["finished_at"]:
                runs[key] = run
    return [runs[key] for key in sorted(runs)]


if __name__ == "__main__":
    print(table(merged()))
