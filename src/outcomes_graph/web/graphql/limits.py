"""Bounds on a GraphQL request: depth, aliases, tokens and page size (DESIGN §6).

Depth and aliases are checked by validation rules before anything runs; tokens by
the parser, which stops reading at the limit. Introspection (``__schema``,
``__type``) does not count towards depth, so GraphiQL's schema query always passes.
Each bound answers with an error that names the limit and says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension

__all__ = ["DEFAULT_LIMITS", "Limits", "limit_extensions"]


@dataclass(frozen=True)
class Limits:
    """The bounds of one schema. ``max_page`` caps ``first``/``last`` on every connection."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 3000
    max_page: int = 1000
    default_page: int = 100


DEFAULT_LIMITS: Final = Limits()


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    """The deepest field path below a selection set; introspection fields count as nothing."""
    if selections is None:
        return 0
    deepest = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            if node.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + _depth(node.selection_set, fragments, seen))
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, _depth(node.selection_set, fragments, seen))
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def _aliases(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selections is None:
        return 0
    count = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            count += (node.alias is not None) + _aliases(node.selection_set, fragments, seen)
        elif isinstance(node, InlineFragmentNode):
            count += _aliases(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in fragments and name not in seen:
                count += _aliases(fragments[name].selection_set, fragments, seen | {name})
    return count


def _rules(limits: Limits) -> list[type[ASTValidationRule]]:
    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            for operation in _operations(context):
                depth = _depth(operation.selection_set, fragments)
                if depth > limits.max_depth:
                    name = f"operation '{operation.name.value}'" if operation.name else "the operation"
                    context.report_error(
                        GraphQLError(
                            f"{name} is {depth} fields deep; the limit is {limits.max_depth}. "
                            "Ask for the deeper part in a second query, starting from the URIs of the first",
                            operation,
                            extensions={"code": "DEPTH_LIMIT", "limit": limits.max_depth, "depth": depth},
                        )
                    )

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            count = sum(_aliases(op.selection_set, fragments) for op in _operations(context))
            if count > limits.max_aliases:
                context.report_error(
                    GraphQLError(
                        f"the document uses {count} aliases; the limit is {limits.max_aliases}. "
                        "Use a list field (for example concepts or search) instead of one alias per item",
                        extensions={"code": "ALIAS_LIMIT", "limit": limits.max_aliases, "aliases": count},
                    )
                )

    return [DepthLimit, AliasLimit]


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in context.document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)]


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories of the strawberry extensions that enforce ``limits`` (a fresh one per request)."""
    rules = _rules(limits)
    return [lambda: AddValidationRules(rules), lambda: MaxTokensLimiter(max_token_count=limits.max_tokens)]
