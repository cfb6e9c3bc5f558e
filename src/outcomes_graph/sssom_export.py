"""``export --format sssom``: every mapping set in the store written back as an SSSOM TSV file."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from outcomes_graph.errors import UsageError
from outcomes_graph.queries import QueryRegistry
from outcomes_graph.sssom import mapping_sets_to_sssom
from outcomes_graph.store import GraphStore

__all__ = ["export_mapping_sets"]


def export_mapping_sets(store: GraphStore, output: Path | None, *, registry: QueryRegistry) -> str:
    """Write ``{output}/{set name}.sssom.tsv`` for each mapping set; return what was written."""
    if output is None:
        raise UsageError("the sssom export writes one file per mapping set: give --output FOLDER")
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file; the sssom export needs a folder")
    output.mkdir(parents=True, exist_ok=True)
    sets = registry.get("mapping-sets")
    triples = registry.get("mapping-set-triples")
    names = []
    for row in store.select(sets.sparql, substitutions=sets.substitutions({})):
        set_iri = row["set"].value
        solutions = store.query(triples.sparql, substitutions=triples.substitutions({"set": set_iri}))
        rows = [{"s": _text(s["s"]), "p": _text(s["p"]), "o": _text(s["o"])} for s in solutions]
        name = set_iri.rstrip("/").rsplit("/", 1)[-1]
        (output / f"{name}.sssom.tsv").write_text(mapping_sets_to_sssom(rows, set_iri), encoding="utf-8")
        names.append(name)
    return f"{len(names)} mapping sets"


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    return str(term.value)
