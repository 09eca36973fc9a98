# An HTTPS API call with requests, against a local server whose certificate comes from a
# test CA; also a call that must fail verification against the system's CAs.
import http.server
import os
import ssl
import threading

import requests

# The certificates are test fixtures in the working directory (they are not bundled).
fixtures = os.getcwd()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ('{"path": "%s", "ok": true}' % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.path.join(fixtures, "server.pem"), os.path.join(fixtures, "server.key"))
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = "https://127.0.0.1:%d/api/items?x=1" % server.server_address[1]

r = requests.get(url, verify=os.path.join(fixtures, "ca.pem"), timeout=10)
print(r.status_code, r.headers["Content-Type"], r.json())
try:
    requests.get(url, timeout=10)  # the system's CAs do not know the test CA
except requests.exceptions.SSLError as e:
    print("SSLError", "CERTIFICATE_VERIFY_FAILED" in str(e))
server.shutdown()
