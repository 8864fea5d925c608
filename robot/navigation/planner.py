"""Shortest paths on the floor map's walkable graph (networkx Dijkstra on edge lengths). No I/O."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from robot.config import FloorMap, ReceptionPoint


class UnknownLocation(ValueError):
    def __init__(self, name: str, valid: Iterable[str]):
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"unknown location {name!r}; valid names: {', '.join(self.valid)}")


class Unreachable(Exception):
    def __init__(self, start: str, goal: str):
        self.start, self.goal = start, goal
        super().__init__(f"no walkable path from {start!r} to {goal!r}")


@dataclass(frozen=True)
class Route:
    nodes: tuple[str, ...]  # location names; may start with "@pose" when planned from the robot's position
    points: tuple[tuple[float, float], ...]
    length_m: float

    def time_s(self, speed_mps: float) -> float:
        return self.length_m / speed_mps

    @property
    def goal(self) -> str:
        return self.nodes[-1]


def _length(points: tuple[tuple[float, float], ...]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


def _check(fmap: FloorMap, name: str) -> None:
    if name not in fmap.locations:
        raise UnknownLocation(name, fmap.locations)


def plan(fmap: FloorMap, start: str, goal: str, blocked: Iterable[tuple[str, str]] = ()) -> Route:
    """Shortest walkable route between two named locations, avoiding `blocked` edges."""
    _check(fmap, start)
    _check(fmap, goal)
    graph = fmap.graph()
    for a, b in blocked:
        if graph.has_edge(a, b):
            graph.remove_edge(a, b)
    try:
        nodes = nx.shortest_path(graph, start, goal, weight="weight")
    except nx.NetworkXNoPath:
        raise Unreachable(start, goal) from None
    points = tuple((fmap.locations[n].x, fmap.locations[n].y) for n in nodes)
    return Route(tuple(nodes), points, _length(points))


def nearest_location(fmap: FloorMap, x: float, y: float) -> str:
    return min(fmap.locations, key=lambda n: math.hypot(fmap.locations[n].x - x, fmap.locations[n].y - y))


def plan_from(
    fmap: FloorMap, x: float, y: float, goal: str, blocked: Iterable[tuple[str, str]] = (),
    previous: str | None = None, ahead: str | None = None,
) -> Route:
    """Route from the robot's position on the edge previous -> ahead (or, without them, via the nearest location).

    The robot may always go back to `previous`; it may go on to `ahead` unless that edge is blocked.
    """
    _check(fmap, goal)
    blocked = [(a, b) for a, b in blocked]
    if previous is not None and previous in fmap.locations:
        candidates = {previous}
        if ahead is not None and ahead in fmap.locations and (previous, ahead) not in blocked \
                and (ahead, previous) not in blocked:
            candidates.add(ahead)
    else:
        candidates = {nearest_location(fmap, x, y)}
    best: Route | None = None
    for start in sorted(candidates):
        try:
            route = plan(fmap, start, goal, blocked)
        except Unreachable:
            continue
        points = ((x, y), *route.points)
        candidate = Route(("@pose", *route.nodes), points, _length(points))
        if best is None or candidate.length_m < best.length_m:
            best = candidate
    if best is None:
        raise Unreachable(f"({x:.1f}, {y:.1f})", goal)
    return best


def resolve_place(point: ReceptionPoint, place: str, counter: int | None = None) -> str:
    """The floor-map location for a counter number, a location name, or a kind (toilet, water_station...)."""
    fmap = point.floor_map
    if counter is not None:
        for c in point.counters:
            if c.number == counter:
                return c.location
        numbers = ", ".join(str(c.number) for c in point.counters)
        raise UnknownLocation(f"counter {counter}", [f"counter {n}" for n in numbers.split(", ")])
    if place in fmap.locations:
        return place
    found = fmap.first_of_kind(place)
    if found is None:
        raise UnknownLocation(place, fmap.locations)
    return found
