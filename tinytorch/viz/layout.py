"""tinytorch.viz.layout: a deterministic left-to-right layered layout for a traced graph.

Each node gets a column by its longest path to the output (so every input sits left of its
consumers); an edge that spans several columns gets a dummy vertex in each column between;
barycentre sweeps order every column to reduce crossings; each node's row is then pulled toward
its neighbours while the column's order and spacing are kept (isotonic regression).
"""
import numpy as np

_COL_GAP, _ROW_GAP = 36, 14
_DUMMY_H = 6             # the height an edge passing through a column takes there
_SWEEPS, _PASSES = 8, 6  # crossing-reduction sweeps, row-placement passes


def _isotonic(targets):
    """The non-decreasing sequence closest to `targets` in squared distance (pool adjacent violators)."""
    blocks = []  # [sum, count]
    for value in targets:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    return [total / count for total, count in blocks for _ in range(count)]


def _crossings(layers, succ, pos):
    """The number of edge crossings between neighbouring columns."""
    total = 0
    for layer in layers[:-1]:
        ends = np.array([(pos[u], pos[w]) for u in layer for w in succ[u]], dtype=float).reshape(-1, 2)
        da = ends[:, 0, None] - ends[None, :, 0]
        db = ends[:, 1, None] - ends[None, :, 1]
        total += int(np.count_nonzero(da * db < 0)) // 2
    return total


def _order(layers, pred, succ):
    """Order every column to reduce crossings: alternate barycentre sweeps, keep the best seen."""
    pos = [0] * len(pred)

    def number(layer):
        for k, v in enumerate(layer):
            pos[v] = k

    def sort(layer, neighbours):
        def key(v):
            near = neighbours[v]
            return (sum(pos[u] for u in near) / len(near) if near else pos[v], pos[v])
        layer.sort(key=key)
        number(layer)

    for layer in layers:
        number(layer)
    best, fewest = [list(layer) for layer in layers], _crossings(layers, succ, pos)
    for _ in range(_SWEEPS):
        for layer in layers[1:]:
            sort(layer, pred)
        for layer in reversed(layers[:-1]):
            sort(layer, succ)
        crossings = _crossings(layers, succ, pos)
        if crossings < fewest:
            best, fewest = [list(layer) for layer in layers], crossings
    return best


def _rows(layers, pred, succ, heights):
    """Vertical centres: each node near the mean of its neighbours, the column's order kept."""
    centre = [0.0] * len(heights)
    offsets = []
    for layer in layers:
        off = [0.0]
        for a, b in zip(layer, layer[1:]):
            off.append(off[-1] + (heights[a] + heights[b]) / 2 + _ROW_GAP)
        offsets.append(off)
        for v, o in zip(layer, off):
            centre[v] = o - off[-1] / 2

    def settle(layer, off, neighbours):
        wanted = [sum(centre[u] for u in neighbours[v]) / len(neighbours[v]) if neighbours[v]
                  else centre[v] for v in layer]
        for v, z, o in zip(layer, _isotonic([w - o for w, o in zip(wanted, off)]), off):
            centre[v] = z + o

    near = [p + s for p, s in zip(pred, succ)]
    for _ in range(_PASSES):
        for layer, off in zip(layers[1:], offsets[1:]):
            settle(layer, off, pred)
        for layer, off in zip(reversed(layers[:-1]), reversed(offsets[:-1])):
            settle(layer, off, succ)
    for _ in range(_PASSES):  # then balance: every node between its neighbours on both sides
        for layer, off in zip(layers, offsets):
            settle(layer, off, near)
        for layer, off in zip(reversed(layers), reversed(offsets)):
            settle(layer, off, near)
    return centre


def _ports(ends, centre, height):
    """y of each edge end on one side of a node, spread over its height in the order of `ends`."""
    k = len(ends)
    step = min(10.0, (height - 6) / (k - 1)) if k > 1 else 0.0
    return {end: centre + (i - (k - 1) / 2) * step for i, end in enumerate(ends)}


def layout(graph, sizes):
    """Place the nodes: returns (boxes, routes, width, height).

    sizes: (width, height) per node. boxes: (x, y, width, height) per node, columns left to right by
    topological depth (longest path to the output: each node sits just left of its leftmost
    consumer). routes: (source, target, points) per edge, the points from the source's right side
    through the columns it crosses to the target's left side.
    """
    n = len(graph.nodes)
    rank = [0] * n
    for node in reversed(graph.nodes):
        for i in node.inputs:
            rank[i] = max(rank[i], rank[node.index] + 1)
    depth = max(rank)
    column = [depth - r for r in rank]
    heights = [h for _, h in sizes]
    chains = []  # edges as vertex chains; an edge spanning several columns gets a dummy vertex in each
    for node in graph.nodes:
        for i in node.inputs:
            chain = [i]
            for c in range(column[i] + 1, column[node.index]):
                column.append(c)
                heights.append(_DUMMY_H)
                chain.append(len(column) - 1)
            chains.append(chain + [node.index])
    pred, succ = [[] for _ in column], [[] for _ in column]
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            succ[a].append(b)
            pred[b].append(a)
    layers = [[] for _ in range(depth + 1)]
    for v, c in enumerate(column):
        layers[c].append(v)
    layers = _order(layers, pred, succ)
    centre = _rows(layers, pred, succ, heights)
    top = min(centre[v] - heights[v] / 2 for v in range(len(column)))
    bottom = max(centre[v] + heights[v] / 2 for v in range(len(column)))
    centre = [c - top for c in centre]

    widths = [max((sizes[v][0] for v in layer if v < n), default=0) for layer in layers]
    left = [sum(widths[:c]) + _COL_GAP * c for c in range(len(layers))]
    boxes = [(left[column[v]] + (widths[column[v]] - w) / 2, centre[v] - h / 2, w, h)
             for v, (w, h) in enumerate(sizes)]

    def by_y(k, side):
        chain = chains[k]
        return (centre[chain[1] if side == "out" else chain[-2]], k)

    outs, ins = [[] for _ in range(n)], [[] for _ in range(n)]
    for k, chain in enumerate(chains):
        outs[chain[0]].append(k)
        ins[chain[-1]].append(k)
    port_out, port_in = {}, {}
    for v in range(n):
        port_out.update(_ports(sorted(outs[v], key=lambda k: by_y(k, "out")), centre[v], heights[v]))
        port_in.update(_ports(sorted(ins[v], key=lambda k: by_y(k, "in")), centre[v], heights[v]))
    routes = []
    for k, chain in enumerate(chains):
        source, target = chain[0], chain[-1]
        points = [(boxes[source][0] + boxes[source][2], port_out[k])]
        for d in chain[1:-1]:
            points += [(left[column[d]], centre[d]), (left[column[d]] + widths[column[d]], centre[d])]
        points.append((boxes[target][0], port_in[k]))
        routes.append((source, target, points))
    return boxes, routes, left[-1] + widths[-1], bottom - top
