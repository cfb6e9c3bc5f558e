"""The GraphQL API: schema, typed context, loaders and limits (served by ``web.graphql_api``)."""

from outcomes_graph.web.graphql.context import GraphQLContext
from outcomes_graph.web.graphql.limits import DEFAULT_LIMITS, Limits
from outcomes_graph.web.graphql.schema import build_schema, sdl

__all__ = ["DEFAULT_LIMITS", "GraphQLContext", "Limits", "build_schema", "sdl"]
