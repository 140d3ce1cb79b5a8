"""Mutated W3C documents: the compiler reports CompileError or succeeds, never anything else."""

from __future__ import annotations

import random

import pytest
from lxml import etree

import scxmlc

from .test_w3c import SUITE

VALUES = ["", "#", "a b", "1", "{", "}", "'", '"', "s0", "*", ".", "x.y", "<", "\u00ff", "__class__", "(", "file:nope"]
ATTRS = ["id", "target", "initial", "event", "cond", "expr", "type", "delay", "location", "item", "array", "src", "namelist"]


def mutate(root, rng: random.Random) -> bytes:
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(rng.randint(1, 3)):
        el = rng.choice(elements)
        op = rng.random()
        if op < 0.3 and el.getparent() is not None:
            el.getparent().remove(el)
        elif op < 0.6 and el.attrib:
            el.attrib[rng.choice(list(el.attrib))] = rng.choice(VALUES)
        elif op < 0.8:
            el.set(rng.choice(ATTRS), rng.choice(VALUES))
        else:
            other = rng.choice(elements)
            if other is not el and el not in other.iterancestors() and other not in el.iterancestors():
                el.append(etree.fromstring(etree.tostring(other)))
    return etree.tostring(root)


@pytest.mark.skipif(not SUITE.exists(), reason="W3C suite missing: test_w3c.py::test_suite_present fails")
@pytest.mark.parametrize("seed", range(4))
def test_mutated_documents_never_crash_the_compiler(seed):
    rng = random.Random(seed)
    files = sorted(SUITE.glob("test*.scxml"))
    outcomes = {"compiled": 0, "rejected": 0}
    for _ in range(60):
        data = mutate(etree.parse(str(rng.choice(files))).getroot(), rng)
        try:
            scxmlc.compile_source(data, "fuzz.scxml", base_dir=SUITE)
            outcomes["compiled"] += 1
        except scxmlc.CompileError as exc:
            assert exc.diagnostics and all(d.location.file for d in exc.diagnostics)  # every one located
            outcomes["rejected"] += 1
    assert outcomes["compiled"] and outcomes["rejected"], outcomes
