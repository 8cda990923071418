"""Serve the handlers over HTTP on loopback (python3 -m shop.server PORT)."""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from shop.handlers import App, handle_request


def make_handler(app):
    class Handler(BaseHTTPRequestHandler):
        def _respond(self, method):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode() if length else ""
            status, payload = handle_request(app, method, self.path, body)
            data = payload.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._respond("GET")

        def do_POST(self):
            self._respond("POST")

    return Handler


def main(argv):
    port = int(argv[1]) if len(argv) > 1 else 8080
    HTTPServer(("127.0.0.1", port), make_handler(App())).serve_forever()


if __name__ == "__main__":
    main(sys.argv)
