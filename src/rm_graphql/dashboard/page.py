"""The program dashboard as one self-contained HTML page: inline CSS and SVG, no scripts."""

from __future__ import annotations

from datetime import date
from html import escape

from rm_graphql.kpis import charts
from rm_graphql.kpis.charts import AMBER, BLUE, RED, TEAL, Bar, Uplift, number, percent
from rm_graphql.kpis.figures import MIN_SAMPLE, Generation, KpiReport, KpiValue, Period

GREY = "#9aa3b2"
GENERATION_NAMES = {
    Generation.GEN_ALPHA: "Gen Alpha (2013+)",
    Generation.GEN_Z: "Gen Z (1997-2012)",
    Generation.MILLENNIAL: "Millennials (1981-96)",
    Generation.GEN_X: "Gen X (1965-80)",
    Generation.BABY_BOOMER: "Boomers (1946-64)",
    Generation.SILENT: "Silent (before 1946)",
    Generation.UNKNOWN: "Not recorded",
}
STYLE = """
* { box-sizing: border-box }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2937; background: #f4f6fa }
header { background: #17213a; color: #fff; padding: 22px 32px }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 650 }
header p { margin: 0; color: #c7d0e4 }
.badge { display: inline-block; margin-left: 10px; padding: 2px 9px; border-radius: 10px;
  font-size: 12px; background: #2f5bea; color: #fff; vertical-align: middle }
main, footer { max-width: 1320px; margin: auto }
main { padding: 24px 32px }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr));
  gap: 12px; margin-bottom: 20px }
.tile, .card { background: #fff; border-radius: 10px; box-shadow: 0 1px 2px rgba(16, 24, 40, .08) }
.tile { padding: 14px 16px }
.tile b { display: block; font-size: 26px; font-weight: 650; margin: 2px 0 }
.tile span { color: #6b7280; font-size: 12px }
.tile .muted { font-size: 16px; color: #9aa3b2 }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px }
.card { padding: 16px 18px 10px }
.card h2 { margin: 0 0 2px; font-size: 15px }
.card p { margin: 0 0 10px; color: #6b7280; font-size: 12px }
.chart { width: 100%; height: auto; display: block }
nav { display: inline; font-weight: 400 }
nav a { color: #2f5bea; margin-left: 10px; text-decoration: none }
nav a.on { font-weight: 650; color: #1f2937 }
footer { color: #6b7280; font-size: 12px; padding: 8px 32px 28px }
"""


def _tile(label: str, figure: KpiValue | None, shown: str, detail: str) -> str:
    if figure is not None and figure.value is None:
        value = "withheld" if figure.withheld else "no data yet"
        body = f'<b class="muted">{value}</b>'
    else:
        body = f"<b>{escape(shown)}</b>"
    return (
        f'<div class="tile"><span>{escape(label)}</span>{body}<span>{escape(detail)}</span></div>'
    )


def _tiles(report: KpiReport) -> str:
    people, pairs, held = report.participation, report.matching, report.sessions
    mood, kept = report.satisfaction, report.retention
    tiles = [
        _tile("Enrolled of invited", people.of_invited, percent(people.of_invited.value),
              f"{people.enrolled:,} enrolled, {percent(people.of_eligible.value, 1)} of staff"),
        _tile("Match rate", pairs.match_rate, percent(pairs.match_rate.value),
              f"{pairs.published_pairs:,} pairs published"),
        _tile("Active pairs", None, f"{pairs.active_pairs:,}",
              f"median {number(pairs.median_days_to_match.value)} days to match"),
        _tile("Sessions per pair / month", held.per_pair_per_month,
              number(held.per_pair_per_month.value, 2),
              f"{held.held:,} held, {held.minutes:,} min"),
        _tile("Average session", held.average_minutes,
              f"{number(held.average_minutes.value)} min",
              f"{percent(held.share_within_cap.value)} within the cap"),
        _tile("Satisfaction", mood.average, f"{number(mood.average.value, 2)} / 5",
              f"{mood.responses:,} responses"),
        _tile("Net promoter score", mood.nps, number(mood.nps.value, 0), "from would-recommend"),
        _tile("Mentors kept 12 months", kept.mentors, percent(kept.mentors.value),
              f"comparison group {percent(kept.comparison.value)}"),
    ]  # fmt: skip
    return f'<section class="tiles">{"".join(tiles)}</section>'


def _card(title: str, note: str, svg: str, extra: str = "") -> str:
    return (
        f'<section class="card"><h2>{escape(title)}{extra}</h2><p>{escape(note)}</p>{svg}</section>'
    )


def _rates_chart(report: KpiReport) -> str:
    people, pairs, held, goals = (
        report.participation, report.matching, report.sessions, report.goals
    )  # fmt: skip
    bars = [
        Bar("Enrolled of invited", people.of_invited),
        Bar("Enrolled of all staff", people.of_eligible),
        Bar("Mentees matched", pairs.match_rate),
        Bar("Pairs accepted", pairs.acceptance_rate, TEAL),
        Bar("Pairs declined", pairs.decline_rate, RED),
        Bar("Cross-department pairs", pairs.cross_department_reach, TEAL),
        Bar("Sessions within the cap", held.share_within_cap),
        Bar("Mentee goals achieved", goals.mentee_side, AMBER),
        Bar("Mentor goals achieved", goals.mentor_side, AMBER),
    ]
    return charts.bar_chart("rates", "Participation, matching and follow-through", bars)


def _series_card(report: KpiReport) -> str:
    weekly = report.period is Period.WEEK
    links = "".join(
        f'<a class="{"on" if report.period is period else ""}" href="?period={period.value}">'
        f"{label}</a>"
        for period, label in ((Period.MONTH, "Monthly"), (Period.WEEK, "Weekly"))
    )
    svg = charts.series_chart("series", "Sessions and satisfaction over time", report.series,
                              weekly=weekly)  # fmt: skip
    note = "Held sessions per period (columns) and mean rating (line)."
    return _card("Activity over time", note, svg, f" <nav>{links}</nav>")


def _uplift_card(report: KpiReport) -> str:
    topics = [
        Uplift(item.name, item.uplift, item.pre, item.post) for item in report.uplift.by_topic
    ]
    overall = report.uplift.overall
    note = (
        f"Self-assessed level after minus before (1-5 scale); overall "
        f"{'withheld' if overall.value is None else f'{overall.value:+.2f}'} over "
        f"{overall.sample_size} people who assessed a topic twice."
    )
    return _card("Skill uplift by topic", note, charts.uplift_chart("uplift", "Uplift", topics))


def _retention_card(report: KpiReport) -> str:
    kept = report.retention
    bars = [
        Bar("All mentors", kept.mentors, BLUE),
        Bar("Mentors with a comparison", kept.matched_mentors, TEAL),
        Bar("Comparison group", kept.comparison, GREY),
    ]
    gap = kept.difference_points.value
    note = (
        "Still employed 12 months after first enrolment, against non-participants of the same "
        "department, level band and hire year" + ("" if gap is None else f" ({gap:+.1f} points).")
    )
    return _card("Retention of mentors", note, charts.comparison_chart("retention", "", bars))


def _satisfaction_card(report: KpiReport) -> str:
    mood = report.satisfaction
    bars = [
        Bar("Usefulness", mood.usefulness),
        Bar("Comfort", mood.comfort, TEAL),
        Bar("Respect", mood.respect, TEAL),
        Bar("Would recommend", mood.would_recommend, AMBER),
    ]
    svg = charts.bar_chart("ratings", "Ratings", bars, scale=5.0, as_percent=False)
    return _card("Satisfaction by dimension", "Mean rating from 1 to 5.", svg)


def _generations_card(report: KpiReport) -> str:
    bars = [
        Bar(GENERATION_NAMES[share.generation], share.share, TEAL if index % 2 else BLUE)
        for index, share in enumerate(report.generations)
        if share.participants.sample_size or share.generation is not Generation.UNKNOWN
    ]
    svg = charts.bar_chart("generations", "Generational mix", bars)
    return _card("Generational mix", "Share of enrolled people by birth-year band.", svg)


def _dates(starts_on: date | None, ends_on: date | None) -> str:
    if starts_on is None:
        return "no dates set"
    return (
        f"{starts_on:%d %b %Y} to {ends_on:%d %b %Y}" if ends_on else f"since {starts_on:%d %b %Y}"
    )


def render(report: KpiReport) -> str:
    """The whole page for one program's report."""
    program = report.program
    name = escape(program.name) if program else "All programs"
    status = f'<span class="badge">{escape(program.status)}</span>' if program else ""
    dates = _dates(program.starts_on, program.ends_on) if program else ""
    cap = f", session cap {program.session_cap_minutes} min" if program else ""
    cards = [
        _card("Participation and matching", "Shares from 0 to 100 %.", _rates_chart(report)),
        _series_card(report),
        _uplift_card(report),
        _retention_card(report),
        _satisfaction_card(report),
        _generations_card(report),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{name} · KPIs</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{name}{status}</h1><p>{escape(dates)}{escape(cap)} · figures as of "
        f"{report.scope.as_of:%d %b %Y %H:%M} UTC</p></header><main>{_tiles(report)}"
        f'<div class="grid">{"".join(cards)}</div></main><footer>Figures resting on fewer '
        f"than {MIN_SAMPLE} people, pairs or responses are withheld and drawn hatched. "
        "Concern reports are not counted in satisfaction.</footer></body></html>"
    )
