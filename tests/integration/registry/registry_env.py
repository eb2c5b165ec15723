"""Test doubles and real servers for the registry tests.

Registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1:<free
port> with its own storage dir and config, optionally behind htpasswd
Basic auth or token auth. TokenServer: a tiny Bearer token issuer (RS256
JWTs whose certificate the registry trusts via rootcertbundle).
Proxy: forwards to a registry and misbehaves on blob GETs on request
(corrupt a byte, answer 503, cut the body short).
"""
import base64
import crypt
import datetime
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build", "debug"))
TOOL = os.path.join(BUILD, "apps", "berth-image-tool", "berth-image-tool")
MKIMAGE = os.path.join(REPO, "tests", "fixtures", "mkimage.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool(root, *args, check=True, env=None, timeout=300):
    r = subprocess.run([TOOL, "--root", root, *args], capture_output=True, text=True,
                       env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("berth-image-tool %s failed (%d):\n%s\n%s" % (
            " ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Registry:
    def __init__(self, auth=None):
        self.dir = tempfile.mkdtemp(prefix="berth-registry-")
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        lines = ["version: 0.1", "log:", "  level: warn", "storage:", "  filesystem:",
                 "    rootdirectory: " + os.path.join(self.dir, "data"), "  delete:",
                 "    enabled: true", "http:", "  addr: " + self.host]
        if auth:
            lines += ["auth:"] + ["  " + l for l in auth]
        with open(os.path.join(self.dir, "config.yml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log = open(os.path.join(self.dir, "registry.log"), "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", os.path.join(self.dir, "config.yml")],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not start: " + open(self.log.name).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def htpasswd_auth(dir, users):
    path = os.path.join(dir, "htpasswd")
    with open(path, "w") as f:
        for user, password in users.items():
            f.write("%s:%s\n" % (user, crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))))
    return ["htpasswd:", "  realm: berth-test", "  path: " + path]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class TokenServer:
    """Issues RS256 JWTs for user:password (anonymous gets 401)."""

    def __init__(self, users):
        self.users = users
        self.requests = []
        self.dir = tempfile.mkdtemp(prefix="berth-token-")
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "berth-test-token")])
        now = datetime.datetime.utcnow()
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(1)
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = os.path.join(self.dir, "root.pem")
        with open(self.bundle, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        self.port = free_port()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                owner.handle(self)

        self.server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def registry_auth(self):
        return ["token:", "  realm: http://127.0.0.1:%d/token" % self.port, "  service: berth-test",
                "  issuer: berth-test-issuer", "  rootcertbundle: " + self.bundle]

    def token(self, scopes):
        access = []
        for s in scopes:
            kind, name, actions = s.split(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        der = self.cert.public_bytes(serialization.Encoding.DER)
        header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {"iss": "berth-test-issuer", "sub": "alice", "aud": "berth-test", "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": str(now) + str(len(self.requests)), "access": access}
        signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        sig = self.key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing + "." + b64url(sig)

    def handle(self, req):
        from urllib.parse import parse_qs, urlparse
        q = parse_qs(urlparse(req.path).query)
        self.requests.append(q)
        auth = req.headers.get("Authorization", "")
        ok = False
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            ok = self.users.get(user) == pw
        if not ok:
            body = b'{"details":"incorrect username or password"}'
            req.send_response(401)
        else:
            body = json.dumps({"token": self.token(q.get("scope", [])), "expires_in": 300}).encode()
            req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Proxy:
    """HTTP proxy in front of a registry. mode: None (pass through),
    "corrupt" (flip a byte of every blob body), "503" / "429" (the first
    `count` blob GETs fail with that status), "cut" (the first `count` blob GETs stop half way)."""

    def __init__(self, upstream_port, mode=None, count=0):
        self.upstream = upstream_port
        self.mode = mode
        self.count = count
        self.blob_gets = []
        self.port = free_port()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                owner.forward(self, "GET")

            def do_HEAD(self):
                owner.forward(self, "HEAD")

        self.server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, req, method):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=30)
        headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(method, req.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        blob = method == "GET" and "/blobs/sha256:" in req.path and resp.status in (200, 206)
        if blob:
            self.blob_gets.append((req.path, req.headers.get("Range")))
            n = len(self.blob_gets)
            if self.mode == "503" and n <= self.count:
                return self.reply(req, 503, {"Content-Type": "text/plain"}, b"unavailable")
            if self.mode == "429" and n <= self.count:
                return self.reply(req, 429, {"Content-Type": "application/json", "Retry-After": "0"},
                                  b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}')
            if self.mode == "corrupt" and body:
                body = body[:-1] + bytes([body[-1] ^ 0xFF])
            if self.mode == "cut" and n <= self.count:
                hdrs = {k: v for k, v in resp.getheaders() if k.lower() not in ("connection", "transfer-encoding")}
                req.send_response(resp.status)
                for k, v in hdrs.items():
                    req.send_header(k, v)
                req.send_header("Connection", "close")
                req.end_headers()
                req.wfile.write(body[:len(body) // 2])
                req.wfile.flush()
                req.close_connection = True
                return
        hdrs = {k: v for k, v in resp.getheaders()
                if k.lower() not in ("connection", "transfer-encoding", "content-length")}
        self.reply(req, resp.status, hdrs, body, head=method == "HEAD",
                   length=resp.getheader("Content-Length"))

    def reply(self, req, status, headers, body, head=False, length=None):
        req.send_response(status)
        for k, v in headers.items():
            req.send_header(k, v)
        req.send_header("Content-Length", length if head and length else str(len(body)))
        req.end_headers()
        if not head:
            req.wfile.write(body)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def put_manifest(host, repo, ref, body, media_type, token=None):
    req = urllib.request.Request("http://%s/v2/%s/manifests/%s" % (host, repo, ref), data=body,
                                 method="PUT", headers={"Content-Type": media_type})
    with urllib.request.urlopen(req) as r:
        return r.headers.get("Docker-Content-Digest")
