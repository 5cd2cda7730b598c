"""After the demo: serve the API with GraphiQL and the dashboard, and hand over a token."""

from __future__ import annotations

import uvicorn
from rich.console import Console

from rm_graphql.app import create_app
from rm_graphql.auth.devtokens import mint_dev_token
from rm_graphql.config import Settings
from rm_graphql.demo.scenario import ADMIN, TENANT
from rm_graphql.ids import global_id


def serve_demo(settings: Settings, port: int, program_id: int, console: Console) -> None:
    """Serve until Ctrl-C; print where to look and a ready development token."""
    token = mint_dev_token(
        settings.var_dir, TENANT, ADMIN, ["rm:admin"], email=ADMIN, lifetime_seconds=12 * 3600
    )
    base = f"http://{settings.host}:{port}"
    program = global_id("Program", program_id)
    console.print(f"GraphiQL:   [bold]{base}/graphql[/] (add the header below)")
    # soft_wrap: a URL or token cut into lines by the console width cannot be copied whole.
    console.print(
        f"Dashboard:  [bold]{base}/dashboard/programs/{program}?access_token={token}[/]",
        soft_wrap=True,
    )
    console.print(f'Header:     {{"Authorization": "Bearer {token}"}}', soft_wrap=True)
    console.print("Ctrl-C stops the server.")
    uvicorn.run(create_app(settings), host=settings.host, port=port, log_level="warning")
