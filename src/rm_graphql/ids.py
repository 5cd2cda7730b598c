"""Public ids: the Relay global ids the API shows, for events, links and logs.

Services and outbound events name rows the way the GraphQL API does (base64 of "Type:id"), so
a host can pass an id from a webhook straight to `node(id:)`. The spelling is Strawberry's;
keeping it here keeps the services free of the GraphQL library.
"""

from __future__ import annotations

import base64


def global_id(type_name: str, row_id: int) -> str:
    """The API's id of a row: base64 of "TypeName:row id"."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()
