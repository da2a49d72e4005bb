"""A throwaway HTTPS (or, without --cert, plain HTTP) file server for the
packaging tests.

Serves DIR on 127.0.0.1 with the given certificate, writes the port it got
to PORT_FILE, and logs one line per request to LOG. It stops
by itself after --lifetime seconds, so a crashed test never leaves it behind.
"""

import argparse
import http.server
import os
import ssl
import threading


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--lifetime", type=float, default=300.0)
    a = p.parse_args()
    log_path = a.log

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=a.dir, **kwargs)

        def log_message(self, fmt, *args):
            with open(log_path, "a", encoding="utf-8") as log:
                log.write("%s %s\n" % (self.command, self.path))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, a.port_file)
    threading.Timer(a.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
