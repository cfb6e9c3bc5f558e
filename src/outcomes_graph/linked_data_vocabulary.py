"""``/def/`` and ``/def/{Term}``: the vocabulary, read once per build from the public ontology graph.

The ontology is small (a few hundred triples) and is the only source with blank nodes
(OWL lists and datatype restrictions), so it is held in memory and a term's description is
its statements with their full blank-node closure, plus the labels of what they link to.

>>> v = Vocabulary([ox.Triple(ox.NamedNode("https://example.org/def/A"),
...     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("A"))],
...     namespace="https://example.org/def/")
>>> [t.object.value for t in v.term("A").triples]
['A']
>>> v.term("B") is None
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from outcomes_graph.linked_data_describe import LdDocument, best_labels, sorted_triples
from outcomes_graph.store import GraphStore

__all__ = ["Vocabulary", "load_vocabulary"]

#: The most triples ``/def/`` shows for the whole vocabulary.
VOCABULARY_LIMIT = 20_000


class Vocabulary:
    def __init__(self, triples: Iterable[ox.Triple], *, namespace: str) -> None:
        self.namespace = namespace
        self.triples = sorted_triples(triples)
        self._by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
        for t in self.triples:
            self._by_subject[t.subject].append(t)  # type: ignore[index]
        self._labels = best_labels(self.triples)

    def whole(self) -> LdDocument:
        """The ontology document itself (``/def/``), capped at ``VOCABULARY_LIMIT`` triples."""
        capped = {"vocabulary": VOCABULARY_LIMIT} if len(self.triples) > VOCABULARY_LIMIT else {}
        topic = ox.NamedNode(self.namespace)
        title = self._labels.get(self.namespace, "Vocabulary")
        shown = self.triples[:VOCABULARY_LIMIT]
        return LdDocument(topic=topic, title=title, triples=shown, labels=self._labels, capped=capped)

    def terms(self) -> list[ox.NamedNode]:
        """Every term the ontology declares under its namespace, in name order."""
        return sorted(
            (s for s in self._by_subject if isinstance(s, ox.NamedNode) and s.value.startswith(self.namespace)
             and s.value != self.namespace),
            key=lambda s: s.value,
        )  # fmt: skip

    def term(self, name: str) -> LdDocument | None:
        """The description of ``def/{name}``, or ``None`` when the ontology does not declare it."""
        try:
            node = ox.NamedNode(self.namespace + name)
        except ValueError:
            return None
        if node not in self._by_subject:
            return None
        triples = self._closure(node)
        linked = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
        labels = [t for s in self._by_subject if s.value in linked for t in self._labels_of(s)]
        found = sorted_triples(triples + labels)
        return LdDocument(topic=node, title=self._labels.get(node.value, name), triples=found,
                          labels=best_labels(found))  # fmt: skip

    def _labels_of(self, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        return [t for t in self._by_subject[subject] if best_labels([t])]

    def _closure(self, node: ox.NamedNode) -> list[ox.Triple]:
        found: list[ox.Triple] = []
        seen: set[ox.NamedNode | ox.BlankNode] = set()
        todo: list[ox.NamedNode | ox.BlankNode] = [node]
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for t in self._by_subject.get(subject, []):
                found.append(t)
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return found


def load_vocabulary(store: GraphStore, *, namespace: str) -> Vocabulary:
    """The vocabulary from the store's public ontology graphs (kind ``ontology`` in ``build.json``)."""
    public = {g.value for g in store.public_graphs}
    graphs = [
        ox.NamedNode(g["iri"])
        for g in store.info.graphs
        if g.get("kind") == "ontology" and g["iri"] in public
    ]
    return Vocabulary((q.triple for q in store.quads(graphs)), namespace=namespace)
