"""Min-cost flow with an optimality certificate: node potentials and an exact LP dual bound."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from .population import IntArray

FlowBackend = Literal["auto", "ortools", "scipy"]
SAFE_INT64 = 2**62


@dataclass(frozen=True, slots=True)
class Network:
    """Arcs (tail -> head, capacity, unit cost) and a supply per node (positive = source)."""

    tails: IntArray
    heads: IntArray
    capacities: IntArray
    costs: IntArray
    supplies: IntArray

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.supplies)


@dataclass(frozen=True, slots=True)
class Certificate:
    """Potentials proving optimality: reduced costs fit the flow and the dual bound equals it."""

    potentials: IntArray
    primal_cost: int
    dual_bound: int
    verified: bool


def solve_network(network: Network, backend: FlowBackend = "auto") -> IntArray | None:
    """Return optimal integral arc flows, or None when the supplies cannot be routed."""
    if backend == "scipy" or (backend == "auto" and not ortools_usable()):
        return _solve_scipy(network)
    return _solve_ortools(network)


@functools.cache
def ortools_usable() -> bool:
    """Tell whether OR-Tools loads here: it cannot share a process with highspy's libhighs."""
    try:
        from ortools.graph.python import min_cost_flow  # noqa: F401
    except ImportError:
        return False
    return True


def _solve_ortools(network: Network) -> IntArray | None:
    """Run OR-Tools' SimpleMinCostFlow (cost scaling push-relabel)."""
    from ortools.graph.python import min_cost_flow

    solver = min_cost_flow.SimpleMinCostFlow()
    if len(network.tails):
        arcs = solver.add_arcs_with_capacity_and_unit_cost(
            network.tails, network.heads, network.capacities, network.costs
        )
    else:
        arcs = np.zeros(0, dtype=np.int64)
    nodes = np.arange(network.node_count, dtype=np.int64)
    solver.set_nodes_supplies(nodes, network.supplies)
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None
    if status != solver.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow failed with status {status}")
    return np.asarray(solver.flows(arcs), dtype=np.int64)


def _solve_scipy(network: Network) -> IntArray | None:
    """Solve the flow LP with HiGHS dual simplex; its basic solution is integral."""
    arc_count = len(network.tails)
    columns = np.concatenate([np.arange(arc_count), np.arange(arc_count)])
    rows = np.concatenate([network.tails, network.heads])
    signs = np.concatenate([np.ones(arc_count), -np.ones(arc_count)])
    incidence = sp.csr_matrix((signs, (rows, columns)), shape=(network.node_count, arc_count))
    bounds = np.column_stack([np.zeros(arc_count), network.capacities.astype(np.float64)])
    result = scipy.optimize.linprog(
        network.costs.astype(np.float64),
        A_eq=incidence,
        b_eq=network.supplies.astype(np.float64),
        bounds=bounds,
        method="highs-ds",
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise RuntimeError(f"HiGHS flow LP failed: {result.message}")
    flows: IntArray = np.rint(result.x).astype(np.int64)
    return flows


def certify(network: Network, flows: IntArray) -> Certificate:
    """Derive potentials from the residual graph of the flow and check LP duality exactly."""
    potentials = residual_potentials(network, flows)
    if potentials is None:
        primal = exact_dot(network.costs, flows)
        return Certificate(np.zeros(0, dtype=np.int64), primal, -(2**63), verified=False)
    return verify(network, flows, potentials)


def verify(network: Network, flows: IntArray, potentials: IntArray) -> Certificate:
    """Check feasibility, complementary slackness and dual bound == primal cost."""
    reduced = network.costs + potentials[network.tails] - potentials[network.heads]
    forward = flows < network.capacities
    backward = flows > 0
    slackness = bool(np.all(reduced[forward] >= 0) and np.all(reduced[backward] <= 0))
    conserved = bool(np.array_equal(_net_outflow(network, flows), network.supplies))
    within = bool(np.all((flows >= 0) & (flows <= network.capacities)))
    primal = exact_dot(network.costs, flows)
    bound = dual_bound(network, potentials)
    return Certificate(
        potentials=potentials,
        primal_cost=primal,
        dual_bound=bound,
        verified=slackness and conserved and within and bound == primal,
    )


def dual_bound(network: Network, potentials: IntArray) -> int:
    """Return the LP dual objective for these potentials: a lower bound on any flow's cost."""
    reduced = network.costs + potentials[network.tails] - potentials[network.heads]
    negative = reduced < 0
    supply_term = exact_dot(network.supplies, -potentials)
    return supply_term - exact_dot(network.capacities[negative], -reduced[negative])


def residual_potentials(network: Network, flows: IntArray) -> IntArray | None:
    """Label-correcting shortest paths from a virtual root; None if a negative cycle exists.

    Starting every node at distance 0 stands for a zero-cost arc from the root; each round
    relaxes only the arcs leaving nodes whose distance just dropped.
    """
    graph = _ResidualGraph.of(network, flows)
    distance = np.zeros(network.node_count, dtype=np.int64)
    arcs = np.arange(len(graph.tails), dtype=np.int64)
    for _ in range(network.node_count + 1):
        heads = graph.heads[arcs]
        candidate = distance[graph.tails[arcs]] + graph.costs[arcs]
        better = candidate < distance[heads]
        if not better.any():
            return distance
        heads = heads[better]
        np.minimum.at(distance, heads, candidate[better])
        arcs = graph.arcs_leaving(np.unique(heads))
    return None


@dataclass(frozen=True, slots=True)
class _ResidualGraph:
    """Residual arcs of a flow, grouped by tail node (CSR layout)."""

    tails: IntArray
    heads: IntArray
    costs: IntArray
    first_arc: IntArray

    @classmethod
    def of(cls, network: Network, flows: IntArray) -> _ResidualGraph:
        """Forward arcs with spare capacity and reversed arcs that carry flow."""
        forward = flows < network.capacities
        backward = flows > 0
        tails = np.concatenate([network.tails[forward], network.heads[backward]])
        heads = np.concatenate([network.heads[forward], network.tails[backward]])
        costs = np.concatenate([network.costs[forward], -network.costs[backward]])
        order = np.argsort(tails, kind="stable")
        first_arc = np.zeros(network.node_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(tails, minlength=network.node_count), out=first_arc[1:])
        return cls(tails[order], heads[order], costs[order], first_arc)

    def arcs_leaving(self, nodes: IntArray) -> IntArray:
        """Return the indices of all arcs whose tail is in `nodes`."""
        starts = self.first_arc[nodes]
        counts = self.first_arc[nodes + 1] - starts
        total = int(counts.sum())
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        arcs: IntArray = np.arange(total, dtype=np.int64) + offsets
        return arcs


def _net_outflow(network: Network, flows: IntArray) -> IntArray:
    """Return outflow minus inflow per node."""
    out = np.bincount(network.tails, weights=flows, minlength=network.node_count)
    into = np.bincount(network.heads, weights=flows, minlength=network.node_count)
    net: IntArray = np.rint(out - into).astype(np.int64)
    return net


def exact_dot(left: IntArray, right: IntArray) -> int:
    """Return the integer dot product, switching to Python integers when int64 could overflow."""
    if len(left) == 0:
        return 0
    biggest = int(np.abs(left).max()) * int(np.abs(right).sum())
    if biggest < SAFE_INT64:
        return int(np.dot(left, right))
    return int(np.dot(left.astype(object), right.astype(object)))
