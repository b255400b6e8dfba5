#!/usr/bin/env python3
"""Can two opcode columns at degree 5 select the blocked layout's row types?

Design aid for docs/design/permutation-free-circuit.md (not part of the build; stdlib only).

Each row type sits at a point (op, qp). A gate is a polynomial sum_m c_m(op, qp) * m over cell
monomials m with deg c_m <= 5 - deg m, so every type sees its own version of the gate. A
*pattern* is the value a coefficient must take at each type (for instance 1 on every type whose
constraint contains the MAC's `w a`, 0 elsewhere). The layout fits if every pattern is the
restriction of a polynomial of the allowed degree to the type points:

- quadratic parts (MAC, booleans, ReLU products): cubic coefficients;
- Poseidon's cubic part (`t^2 u`): quadratic coefficients;
- linear parts (each type its own: repeat, hold, links): quartic coefficients.

A type's version of a slot may be scaled by any nonzero factor, so a class of types that share a
quadratic part needs a *selector*: a polynomial nonzero on the class and zero on every other
type; linear parts need the points to admit any values (interpolation at one degree more).
The same checks with Poseidon on its own column and degree 4 (quadratic selectors, cubic linear
parts) cover the other cheap shape of the gas model.

Exact arithmetic modulo the BN254 scalar field. Usage:
    python3 docs/design/opcode_points.py [--seed N] [--tries N] [--span N]
prints, for each layout and shape, the first placement found or that none was found.
"""

import argparse
import random

R = 0x30644E72E131A029B85045B68181585D2833E84879B9709143E1F593F0000001

POSEIDON = {"poseidon_full", "poseidon_partial"}
POSEIDON_CLASSES = {"Poseidon u_0^2": POSEIDON, "Poseidon u_1^2, u_2^2 (full rounds)": {"poseidon_full"}}

# Each layout: its row types and its classes (the types whose constraint, in one gate slot,
# carries the same quadratic part). A class needs a selector polynomial nonzero on each member and
# zero on every other type; its value on a member scales that type's whole constraint.
LAYOUTS = {
    "today's circuit (check of the checker)": (
        ["empty", "mac", "bits", "end_relu", "bias"],
        {"w a": {"mac"}, "booleans": {"bits", "end_relu"}, "second boolean": {"bits"}, "ReLU": {"end_relu"}},
    ),
    "blocked layout, layer 2 interleaved (stride 8)": (
        ["empty", "mac_repeat", "tmac_hold", "const", "mac", "bits", "end_relu", "ibits", "iend_relu", "link"],
        {
            "w a": {"mac_repeat", "tmac_hold", "const", "mac"},
            "booleans, sequential": {"bits", "end_relu"},
            "booleans, interleaved": {"ibits", "iend_relu"},
            "ReLU a0 b[-12]": {"end_relu"},
            "ReLU a0 b[-96]": {"iend_relu"},
        },
    ),
    "carry rounds, layer 2 sequential, with a link type": (
        ["empty", "mac_repeat", "tmac_hold", "const", "round", "bits", "end_relu", "link"],
        {"w a": {"mac_repeat", "tmac_hold", "const", "round"}, "booleans": {"bits", "end_relu"}, "ReLU": {"end_relu"}},
    ),
    "carry rounds, layer 3 on its own MAC variant, links merged into MAC variants": (
        ["empty", "mac_repeat", "tmac_hold", "const", "round", "l3", "bits", "end_relu"],
        {"w a": {"mac_repeat", "tmac_hold", "const", "round", "l3"}, "booleans": {"bits", "end_relu"}, "ReLU": {"end_relu"}},
    ),
}
TODAY = {"empty": (0, 0), "mac": (1, 0), "bits": (2, 0), "end_relu": (3, 0), "bias": (0, 3),
         "poseidon_partial": (0, 1), "poseidon_full": (0, 2)}


def monomials(deg):
    return [(i, j) for d in range(deg + 1) for i in range(d + 1) for j in [d - i]]


def rank(rows):
    m = [list(r) for r in rows]
    rk, col, ncol = 0, 0, len(m[0]) if m else 0
    while rk < len(m) and col < ncol:
        piv = next((i for i in range(rk, len(m)) if m[i][col] % R), None)
        if piv is None:
            col += 1
            continue
        m[rk], m[piv] = m[piv], m[rk]
        inv = pow(m[rk][col], R - 2, R)
        m[rk] = [v * inv % R for v in m[rk]]
        for i in range(len(m)):
            if i != rk and m[i][col] % R:
                f = m[i][col]
                m[i] = [(a - f * b) % R for a, b in zip(m[i], m[rk])]
        rk += 1
        col += 1
    return rk


def evaluation(points, deg):
    """Rows: monomials of degree <= deg; columns: the points (a polynomial is a row combination)."""
    return [[pow(x, i, R) * pow(y, j, R) % R for (x, y) in points] for (i, j) in monomials(deg)]


def selectable(points, deg, members):
    """A polynomial of degree <= deg that vanishes at every non-member and at no member?"""
    zeros = [p for i, p in enumerate(points) if i not in members]
    base = rank(evaluation(zeros, deg)) if zeros else 0
    return all(rank(evaluation(zeros + [points[i]], deg)) > base for i in members)


def interpolable(points, deg):
    """Any values at the points (every type its own linear parts) from degree <= deg?"""
    return rank(evaluation(points, deg)) == len(points)


def fits_degree5(assign, classes):
    """Two opcode columns, degree 5: cubic class selectors, quadratic for Poseidon's t^2 u,
    quartic linear parts."""
    types = list(assign)
    pts = [assign[t] for t in types]
    if len(set(pts)) != len(pts) or not interpolable(pts, 4):
        return False
    idx = lambda ms: [types.index(t) for t in ms if t in types]
    every = list(classes.values()) + list(POSEIDON_CLASSES.values())
    return selectable(pts, 2, idx(POSEIDON)) and all(selectable(pts, 3, idx(m)) for m in every)


def fits_degree4(assign, classes):
    """Poseidon on its own column (linear selector), two opcode columns for the rest, degree 4:
    quadratic class selectors, cubic linear parts."""
    types = [t for t in assign if t not in POSEIDON]
    pts = [assign[t] for t in types]
    if len(set(pts)) != len(pts) or not interpolable(pts, 3):
        return False
    idx = lambda ms: [types.index(t) for t in ms if t in types]
    return all(selectable(pts, 2, idx(m)) for m in classes.values())


def search(types, classes, fits, tries, span, rng):
    grid = [(x, y) for x in range(-span, span + 1) for y in range(-span, span + 1) if (x, y) != (0, 0)]
    others = types[1:]
    for n in range(tries):
        # Half the tries put the non-Poseidon types on two lines (qp = 0, qp = c), the shape
        # Poseidon's quadratic coefficient needs at degree 5; half anywhere on the grid.
        if n % 2:
            c = rng.choice([v for v in range(-span, span + 1) if v != 0])
            spots = [(x, y) for (x, y) in grid if y in (0, c)]
        else:
            spots = grid
        pick = rng.sample(spots, len(others))
        rest = [p for p in grid if p not in pick]
        assign = {"empty": (0, 0), **dict(zip(others, pick)), **dict(zip(sorted(POSEIDON), rng.sample(rest, 2)))}
        if fits(assign, classes):
            return n + 1, assign
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tries", type=int, default=3000)
    ap.add_argument("--span", type=int, default=3)
    a = ap.parse_args()
    for name, (types, classes) in LAYOUTS.items():
        print(name)
        if name.startswith("today"):
            print(f"  degree 5, two opcode columns, today's opcodes: {'fits' if fits_degree5(TODAY, classes) else 'DOES NOT FIT'}")
            continue
        for shape, fits in [("degree 5, two opcode columns", fits_degree5), ("degree 4, Poseidon column + two", fits_degree4)]:
            found = search(types, classes, fits, a.tries, a.span, random.Random(a.seed))
            if found:
                print(f"  {shape}: fits after {found[0]} tries: {found[1]}")
            else:
                print(f"  {shape}: no placement in {a.tries} tries")


if __name__ == "__main__":
    main()
