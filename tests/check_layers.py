#!/usr/bin/env python3
"""No two library files call each other, directly or through a third.

Usage: check_layers.py OBJ_DIR
Reads the symbols each lib object defines and uses (nm), makes the graph
of which file calls which, and fails on any cycle. lib/README.md promises
this: stages call forward or into the shared files."""
import os, subprocess, sys


def symbols(path):
    out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRV":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def main():
    objdir = sys.argv[1]
    objs = sorted(f for f in os.listdir(objdir)
                  if f.endswith(".o") and f not in ("frozen_image.o", "embedded_rules.o", "embedded_raw.o"))
    defs, uses = {}, {}
    for o in objs:
        defs[o], uses[o] = symbols(os.path.join(objdir, o))
    owner = {s: o for o in objs for s in defs[o]}
    edges = {o: sorted({owner[s] for s in uses[o] if s in owner and owner[s] != o}) for o in objs}
    state, stack, cycles = {}, [], []

    def visit(o):
        state[o] = 1
        stack.append(o)
        for n in edges[o]:
            if state.get(n) == 1:
                cycles.append(stack[stack.index(n):] + [n])
            elif not state.get(n):
                visit(n)
        stack.pop()
        state[o] = 2

    for o in objs:
        if not state.get(o):
            visit(o)
    for c in cycles:
        print("cycle: " + " -> ".join(x[:-2] for x in c))
    print("check_layers: %d lib files, %d calls between them, %d cycles"
          % (len(objs), sum(len(v) for v in edges.values()), len(cycles)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
