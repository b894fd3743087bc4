"""The stage diagram, drawn from the FSM definition itself as an inline SVG.

`stage_graph()` reads the transitions django-fsm knows for `Candidate.stage`; `stage_svg()` lays
them out: the forward path in a row (or, for narrow screens, a column), the side states below (or
beside) it, transitions from many sources drawn as one bus, send-back as a dashed arc.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop
from django_fsm import State

from .models import Candidate
from .services import TRANSITION_LABELS

SEND_BACK_LABEL = gettext_noop("退回")


@dataclass
class Edge:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the target is chosen at run time (send-back)
    allowed_targets: tuple[str, ...] = ()


@dataclass
class StageGraph:
    labels: dict[str, str]
    forward: list[str]
    side: list[str]
    edges: list[Edge] = field(default_factory=list)


def stage_graph() -> StageGraph:
    """The states and transitions of Candidate.stage, grouped by transition name."""
    stage_field = Candidate._meta.get_field("stage")
    labels = {value: str(label) for value, label in stage_field.choices}
    order = list(labels)
    grouped: dict[str, dict] = {}
    for t in stage_field.get_all_transitions(Candidate):
        entry = grouped.setdefault(t.name, {"sources": [], "target": t.target})
        if t.source not in entry["sources"]:
            entry["sources"].append(t.source)
    edges = []
    for name, entry in grouped.items():
        target = entry["target"]
        sources = tuple(sorted(entry["sources"], key=order.index))
        if isinstance(target, State):
            edges.append(Edge(name, gettext(SEND_BACK_LABEL), sources, None, tuple(target.allowed_states)))
        else:
            edges.append(
                Edge(name, gettext(TRANSITION_LABELS[name]) if name in TRANSITION_LABELS else name, sources, target)
            )

    # The forward path: from the initial state, follow the single-source transition whose target
    # comes first in the declared order of the stages, until no new state is reached.
    forward = [stage_field.default]
    while True:
        current = forward[-1]
        nexts = [e.target for e in edges if e.target and e.sources == (current,) and e.target not in forward]
        if not nexts:
            break
        forward.append(min(nexts, key=order.index))
    side = [s for s in order if s not in forward]
    edges.sort(key=lambda e: (order.index(e.sources[0]), e.name))
    return StageGraph(labels=labels, forward=forward, side=side, edges=edges)


# ---------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Geometry:
    horizontal: bool
    box_main: int  # box size along the forward path
    box_cross: int  # box size across it
    step: int  # distance between forward boxes
    side_offset: int  # distance from the forward row to the side row
    margin: int = 14


HORIZONTAL = _Geometry(horizontal=True, box_main=84, box_cross=34, step=104, side_offset=112)
VERTICAL = _Geometry(horizontal=False, box_main=30, box_cross=104, step=46, side_offset=150)


def _xy(g: _Geometry, main: float, cross: float) -> tuple[float, float]:
    return (main, cross) if g.horizontal else (cross, main)


def _box(g: _Geometry, main: float, cross: float) -> tuple[float, float, float, float]:
    """x, y, width, height of a box whose near corner is at (main, cross)."""
    x, y = _xy(g, main, cross)
    w, h = _xy(g, g.box_main, g.box_cross)
    return x, y, w, h


def _place_side(graph: StageGraph, centers: dict[str, float], g: _Geometry) -> dict[str, float]:
    """Main-axis position of each side state: under the middle of its sources, pushed apart."""
    wanted = {}
    for state in graph.side:
        sources = [s for e in graph.edges if e.target == state for s in e.sources if s in centers]
        wanted[state] = sum(centers[s] for s in sources) / len(sources) if sources else 0
    placed: dict[str, float] = {}
    last = None
    for state in sorted(graph.side, key=lambda s: wanted[s]):
        start = wanted[state] - g.box_main / 2
        if last is not None:
            start = max(start, last + g.box_main + 12)
        placed[state] = start
        last = start
    return placed


def _text_width(text: str) -> float:
    """Rough width in px at the diagram's 13px font: a Chinese character is wider than a Latin letter."""
    return sum(13 if ord(ch) >= 0x2E80 else 7 for ch in text)


def _node_text(cx: float, cy: float, label: str, width: float) -> str:
    """The label centred in its box; one too wide for it (English) on two lines, squeezed if still too wide."""
    room = width - 8
    if _text_width(label) <= room or " " not in label:
        return f'<text x="{cx:.1f}" y="{cy:.1f}">{escape(label)}</text>'
    words = label.split()
    cut = min(
        range(1, len(words)), key=lambda i: max(_text_width(" ".join(words[:i])), _text_width(" ".join(words[i:])))
    )
    spans = []
    for dy, line in (("-0.6em", " ".join(words[:cut])), ("1.2em", " ".join(words[cut:]))):
        squeeze = f' textLength="{room:.0f}" lengthAdjust="spacingAndGlyphs"' if _text_width(line) > room else ""
        spans.append(f'<tspan x="{cx:.1f}" dy="{dy}"{squeeze}>{escape(line)}</tspan>')
    return f'<text x="{cx:.1f}" y="{cy:.1f}" class="two-lines">{"".join(spans)}</text>'


def stage_svg(current: str | None = None, *, orientation: str = "horizontal") -> SafeString:
    """The diagram as inline SVG markup; `current` (a stage value) is highlighted."""
    graph = stage_graph()
    g = HORIZONTAL if orientation == "horizontal" else VERTICAL
    m = g.margin
    arc_room = 34  # room for the send-back arc before the forward row
    cross0 = m + arc_room
    main_pos = {s: m + i * g.step for i, s in enumerate(graph.forward)}
    centers = {s: p + g.box_main / 2 for s, p in main_pos.items()}
    side_cross = cross0 + g.box_cross + g.side_offset - g.box_cross
    side_pos = _place_side(graph, centers, g)
    all_main = list(main_pos.values()) + list(side_pos.values())
    main_extent = max(all_main) + g.box_main + m
    cross_extent = side_cross + g.box_cross + m
    width, height = _xy(g, main_extent, cross_extent)

    parts: list[str] = []
    add = parts.append
    add(
        f'<svg class="stage-diagram stage-diagram-{escape(orientation)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(gettext("选任阶段流程图"))}" '
        'xmlns="http://www.w3.org/2000/svg">'
    )
    add(
        f'<defs><marker id="arrow-{escape(orientation)}" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
    )
    marker = f'marker-end="url(#arrow-{escape(orientation)})"'

    def line(a: tuple[float, float], b: tuple[float, float], css: str, title: str, arrow: bool = True):
        add(
            f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" class="{css}" '
            f"{marker if arrow else ''}><title>{escape(title)}</title></line>"
        )

    forward_edges = {(e.sources[0], e.target): e for e in graph.edges if e.target and len(e.sources) == 1}
    # Forward arrows between consecutive boxes.
    for a, b in zip(graph.forward, graph.forward[1:], strict=False):
        edge = forward_edges.get((a, b))
        if edge is None:
            continue
        mid_cross = cross0 + g.box_cross / 2
        start = _xy(g, main_pos[a] + g.box_main, mid_cross)
        end = _xy(g, main_pos[b] - 2, mid_cross)
        line(start, end, "edge edge-forward", edge.label)

    near_side = side_cross  # the side boxes' near edge (cross axis)
    far_forward = cross0 + g.box_cross  # the forward boxes' far edge (cross axis)
    bus_levels = 0
    for edge in graph.edges:
        if edge.target is None:
            continue
        if edge.target in graph.forward and all(s in graph.forward for s in edge.sources):
            continue  # drawn above
        target_center = side_pos.get(edge.target, main_pos.get(edge.target, 0)) + g.box_main / 2
        if len(edge.sources) == 1:
            source = edge.sources[0]
            if source in main_pos and edge.target in side_pos:
                start = _xy(g, centers[source] - 6, far_forward)
                end = _xy(g, target_center - 6, near_side - 2)
            elif source in side_pos and edge.target in main_pos:
                start = _xy(g, side_pos[source] + g.box_main / 2 + 6, near_side)
                end = _xy(g, centers[edge.target] + 6, far_forward + 2)
            else:
                continue
            line(start, end, "edge edge-side", edge.label)
            continue
        # Many sources: a bus across the sources, with one drop to the target.
        bus_levels += 1
        bus_cross = far_forward + 14 + 10 * (bus_levels - 1)
        forward_sources = [s for s in edge.sources if s in main_pos]
        lo = min(centers[s] for s in forward_sources)
        hi = max(centers[s] for s in forward_sources)
        line(_xy(g, lo, bus_cross), _xy(g, hi, bus_cross), f"bus bus-{bus_levels}", edge.label, arrow=False)
        for s in forward_sources:
            line(_xy(g, centers[s], far_forward), _xy(g, centers[s], bus_cross), "bus-drop", edge.label, arrow=False)
        line(
            _xy(g, target_center, bus_cross),
            _xy(g, target_center, near_side - 2),
            "edge edge-side",
            gettext("%(label)s：任一未结束阶段均可") % {"label": edge.label},
        )

    # Send-back: one dashed arc before the forward row, from the last source to the first target.
    for edge in graph.edges:
        if edge.target is not None or not edge.allowed_targets:
            continue
        first = min((t for t in edge.allowed_targets if t in centers), key=lambda t: centers[t])
        last = max((s for s in edge.sources if s in centers), key=lambda s: centers[s])
        x1, y1 = _xy(g, centers[last], cross0)
        x2, y2 = _xy(g, centers[first], cross0 - 2)
        cx, cy = _xy(g, (centers[first] + centers[last]) / 2, cross0 - arc_room - 10)
        add(
            f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" class="edge edge-back" {marker}>'
            f"<title>{escape(gettext('%(label)s：可退回到更早的阶段') % {'label': edge.label})}</title></path>"
        )
        lx, ly = _xy(g, (centers[first] + centers[last]) / 2, cross0 - arc_room / 2 - 4)
        if g.horizontal:
            add(f'<text x="{lx:.1f}" y="{ly:.1f}" class="edge-label">{escape(edge.label)}</text>')
        else:
            add(
                f'<text x="{lx - 4:.1f}" y="{ly:.1f}" class="edge-label" '
                f'transform="rotate(-90 {lx - 4:.1f} {ly:.1f})">{escape(edge.label)}</text>'
            )

    def node(state: str, main: float, cross: float, css: str):
        x, y, w, h = _box(g, main, cross)
        classes = f"node {css}" + (" current" if state == current else "")
        add(f'<g class="{classes}" data-stage="{escape(state)}">')
        add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6"/>')
        label = graph.labels.get(state, state)
        add(_node_text(x + w / 2, y + h / 2, label, w))
        if state == current:
            add(f"<title>{escape(gettext('当前阶段'))}</title>")
        add("</g>")

    for state in graph.forward:
        node(state, main_pos[state], cross0, "node-forward")
    for state in graph.side:
        node(state, side_pos[state], side_cross, "node-side")
    add("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
