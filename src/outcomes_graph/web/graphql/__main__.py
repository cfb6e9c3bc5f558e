"""``python -m outcomes_graph.web.graphql`` prints the schema's SDL (the ``api/schema.graphql`` snapshot)."""

import sys

from outcomes_graph.web.graphql.schema import sdl

sys.stdout.write(sdl())
