"""The province benchmark's figures as the Markdown page bench/results/province.md shows."""

from __future__ import annotations

from typing import Any

from bench.province_services import SETTLE_SECONDS

MB = 1024 * 1024


def markdown(report: dict[str, Any]) -> str:
    m, s = report["machine"], report["settings"]
    seeding = report["seeding"]
    lines = [
        f"# A province simulated, {report['when']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['os']}; Python "
        f"{m['python']}; {m['postgres']}. Whole run: {report['seconds']} s.",
        f"Settings: scale {s['scale']} ({report['applications_per_year']:,} applications a "
        f"year), {s['years']} years from {s['first_year']}, {s['agencies']} agencies in three "
        f"levels. Seeding both SQLite stores (two processes): {seeding['seconds']} s.",
        "",
        "## Stores after each year (events; bytes)",
        "",
    ]
    backends = report["backends"]
    head = "| year | applications | handling events | archive events |"
    rule = "|---|---|---|---|"
    for name in backends:
        head += f" handling {name} MB | archive {name} MB |"
        rule += "---|---|"
    lines += [head, rule]
    handling_total, archive_total = 0, 0
    for n, (h, a) in enumerate(zip(seeding["handling"], seeding["archive"], strict=True)):
        handling_total += h["events"]
        archive_total += a["events"]
        row = f"| {h['year']} | {h['applications']:,} | {handling_total:,} | {archive_total:,} |"
        for figures in backends.values():
            row += f" {figures['handling_bytes_by_year'][n] / MB:,.1f} |"
            row += f" {figures['archive_bytes_by_year'][n] / MB:,.1f} |"
        lines.append(row)
    lines.append("")
    for name, figures in backends.items():
        lines += _backend(name, figures)
    return "\n".join(lines) + "\n"


def _backend(name: str, figures: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", ""]
    lines.append(
        f"- with the projections rebuilt: handling "
        f"{figures['handling_bytes_with_projections'] / MB:,.1f} MB, archive "
        f"{figures['archive_bytes_with_projections'] / MB:,.1f} MB"
    )
    for projection, r in figures["replay"].items():
        lines.append(
            f"- {projection} rebuilt from {r['events']:,} events: **{r['rebuild_seconds']:.1f} s** "
            f"({r['rate']:,}/s; a raw read of the table {r['raw_seconds']:.1f} s, "
            f"{r['raw_rate']:,}/s)"
        )
    for year in figures["reports"]:
        lines.append(
            f"- annual reports {year['year']}: every agency's own ({year['agencies']:,}) "
            f"**{year['every_agency_seconds']:.2f} s** ({year['per_agency_ms']:.2f} ms each); "
            f"the {year['cities']} cities' roll-ups {year['city_rollups_seconds']:.2f} s; the "
            f"province's roll-up **{year['province_rollup_ms']:.1f} ms** "
            f"({year['province_received']:,} received that year)"
        )
    for service, started in figures["startup"].items():
        shown = ", ".join(f"{s:.2f}" for s in started["seconds"])
        memory = ", ".join(f"{m:,.0f}" for m in started["peak_rss_mb"])
        lines.append(
            f"- start-up of {service} until SERVING: **{shown} s**; its peak memory "
            f"{memory} MB after {SETTLE_SECONDS:g} s of serving"
        )
    lines.append(
        f"- this benchmark's process (replays and reports, in-process): peak memory "
        f"{figures['bench_peak_rss_mb']:,.0f} MB"
    )
    return [*lines, ""]
