"""Serves the browser test's page from 127.0.0.1 (so from the origins
http://localhost:PORT and http://127.0.0.1:PORT) and records what the page reports.

usage: serve.py DIR PORT_FILE REPORT_FILE
GET /report?TEXT appends TEXT (decoded) as a line to REPORT_FILE; anything else is
served from DIR. The chosen port is written to PORT_FILE once listening.
"""

import functools
import http.server
import sys
import urllib.parse


class Handler(http.server.SimpleHTTPRequestHandler):
    reports = None

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/report":
            with open(self.reports, "a") as f:
                f.write(urllib.parse.unquote(query) + "\n")
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, fmt, *args):
        sys.stderr.write("serve: " + (fmt % args) + "\n")


def main():
    directory, port_file, report_file = sys.argv[1:4]
    Handler.reports = report_file
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
