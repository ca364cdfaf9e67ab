"""The API served from a background thread while the main thread draws the demo's live view.

Uvicorn installs its signal handlers only in the main thread; in this one it installs none,
so Ctrl+C reaches the main thread (the live view), which then stops the server here.
"""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI

#: How long the server may take to start listening.
START_SECONDS = 30.0
#: How long a stopping server may take to finish its requests and its ticker.
STOP_SECONDS = 10.0


class BackgroundApi:
    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        # Quiet: request lines would tear through the live view; errors still show.
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="conveyor-api", daemon=True)

    def start(self) -> None:
        """Serve, and return once the server listens; ``RuntimeError`` when it cannot (the
        port is taken, the app fails to start), after uvicorn has logged why."""
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                config = self.server.config
                raise RuntimeError(f"The API could not start on {config.host}:{config.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Finish the requests in flight and the app's ticker, then return."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(STOP_SECONDS)
