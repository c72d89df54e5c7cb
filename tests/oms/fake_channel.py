"""A fake channel on 127.0.0.1: a real HTTP server with an order feed (pull) that tests point a channel at.

GET /orders?updated_after=<cursor>&page_size=N → {"orders": [...], "next_cursor": "<n>"}: the orders
after position <cursor>, N at a time. `fail` makes the next request answer 503.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeChannel:
    def __init__(self, orders: list[dict]):
        self.orders = list(orders)
        self.requests: list[str] = []
        self.fail = False
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                feed.requests.append(self.path)
                if feed.fail:
                    feed.fail = False
                    self.send_response(503)
                    self.end_headers()
                    return
                query = parse_qs(urlparse(self.path).query)
                start = int((query.get("updated_after") or ["0"])[0] or 0)
                size = int((query.get("page_size") or ["100"])[0])
                page = feed.orders[start:start + size]
                body = json.dumps({"orders": page, "next_cursor": str(start + len(page))}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/orders"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
