"""One ``Settings`` object, built by the entry point and passed down.

Nothing else reads the environment. Each setting has a description (shown by
``outcomes-graph --help`` and documented in the README; a test checks that).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from outcomes_graph.vocab import BASE

__all__ = ["ENV_PREFIX", "Settings", "default_data_dir"]

ENV_PREFIX = "OUTCOMES_GRAPH_"
#: About this many strings (IRIs, lexical forms) in all: some tens of megabytes. The real graph
#: fits many times over; a far larger graph keeps its most recently asked resources.
DEFAULT_GRAPHQL_CACHE_WEIGHT = 400_000


def default_data_dir() -> Path:
    """The folder holding ``ontology/``, ``frameworks/``, ``mappings/``, ``shapes/`` and ``api/``.

    An installed wheel carries them as package data under ``outcomes_graph/data``; an
    editable install (a checkout) reads them from the repository root.
    """
    packaged = Path(__file__).parent / "data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Every setting of outcomes-graph; the environment variable is ``OUTCOMES_GRAPH_`` + the name."""

    store: Path = field(
        default=Path("var/store"),
        metadata={
            "description": "Path of the on-disk Oxigraph store that `build` writes and other commands read."
        },
    )
    data_dir: Path = field(
        default_factory=default_data_dir,
        metadata={
            "description": "Folder with ontology/, frameworks/, mappings/, shapes/, api/ (default: packaged)."
        },
    )
    cache_dir: Path = field(
        default=Path("var/cache"),
        metadata={"description": "Folder for the SHACL validation cache, keyed by content hash."},
    )
    base: str = field(default=BASE, metadata={"description": "Base of every IRI the project mints."})
    keep_builds: int = field(
        default=1, metadata={"description": "How many earlier store builds to keep beside the current one."}
    )
    host: str = field(default="127.0.0.1", metadata={"description": "Address `serve` listens on."})
    port: int = field(default=8000, metadata={"description": "Port `serve` listens on."})
    workers: int = field(
        default=1,
        metadata={"description": "Server processes; they share the store read-only (Store.read_only)."},
    )
    sparql_endpoint: str | None = field(
        default=None,
        metadata={
            "description": "Serve from this SPARQL 1.1 endpoint instead of the embedded store (remote mode)."
        },
    )
    gsp_endpoint: str | None = field(
        default=None,
        metadata={"description": "Graph Store Protocol URL that `build` writes to in remote mode."},
    )
    max_query_length: int = field(
        default=20_000, metadata={"description": "Longest SPARQL query accepted, in characters."}
    )
    max_result_rows: int = field(
        default=10_000,
        metadata={"description": "Most result rows (or triples) a free-form SPARQL query returns."},
    )
    query_timeout: float = field(
        default=10.0,
        metadata={"description": "Seconds a free-form SPARQL query may run before it is abandoned."},
    )
    max_request_bytes: int = field(
        default=1_000_000, metadata={"description": "Largest request body accepted, in bytes."}
    )
    max_upload_bytes: int = field(
        default=10 * 1024 * 1024,
        metadata={"description": "Largest borough overlay accepted by upload or check over HTTP, in bytes."},
    )
    graphql_cache_weight: int = field(
        default=DEFAULT_GRAPHQL_CACHE_WEIGHT,
        metadata={
            "description": "Bound of each build's GraphQL cache, in strings held (IRIs, labels); 0: none."
        },
    )
    borough_dir: Path | None = field(
        default=None,
        metadata={
            "description": "Folder of stored borough overlays, upload records and hashed tokens "
            "(default: beside the store, var/store.boroughs)."
        },
    )
    borough_tokens: str | None = field(
        default=None,
        metadata={
            "description": "More borough tokens, as comma-separated GSS:SHA-256 pairs (hashes, never tokens)."
        },
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``OUTCOMES_GRAPH_*`` variables, then explicit overrides (CLI options)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``OUTCOMES_GRAPH_*`` variables, for worker processes to rebuild them."""
        return {ENV_PREFIX + f.name.upper(): str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None}  # fmt: skip

    @classmethod
    def descriptions(cls) -> dict[str, str]:
        return {f.name: f.metadata["description"] for f in fields(cls)}

    @property
    def overlays_dir(self) -> Path:
        """``borough_dir``, else beside the store: ``var/store`` → ``var/store.boroughs``."""
        return self.borough_dir or self.store.with_name(self.store.name + ".boroughs")

    @property
    def ontology_dir(self) -> Path:
        return self.data_dir / "ontology"

    @property
    def frameworks_dir(self) -> Path:
        return self.data_dir / "frameworks"

    @property
    def mappings_dir(self) -> Path:
        return self.data_dir / "mappings"

    @property
    def shapes_dir(self) -> Path:
        return self.data_dir / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.data_dir / "api" / "queries"


def _coerce(type_name: Any, raw: str) -> Any:
    name = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", "")
    name = name.removesuffix(" | None")
    if name == "Path":
        return Path(raw)
    if name == "int":
        return int(raw)
    if name == "float":
        return float(raw)
    return raw
