"""Hostile HTTP servers on 127.0.0.1 for the source and CLI tests: slow, huge, or TLS with their own CA.

Importable as ``hostile_http`` (``tests`` is on ``pythonpath``). Every server is a real
``ThreadingHTTPServer`` in a daemon thread; ``close()`` releases any answer still trickling.
Certificates are made here with ``cryptography`` (a CA, and a server certificate it signs for
127.0.0.1), so no test depends on the machine's trust store.
"""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

Respond = Callable[[BaseHTTPRequestHandler, "Server"], None]

OK_VECTOR = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
    {"metric": {}, "value": [1795430340, "1.5"]}]}}).encode()
MB = 1024 * 1024


class Server:
    """A local HTTP(S) server whose every GET is answered by ``respond(handler, server)``."""

    def __init__(self, respond: Respond, tls: ssl.SSLContext | None = None) -> None:
        self.respond = respond
        self.paths: list[str] = []
        self.sent = 0  # body bytes written by the streaming answers
        self.release = threading.Event()  # ends any deliberately slow answer
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                outer.paths.append(self.path)
                try:
                    outer.respond(self, outer)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def reply(status: int, body: bytes, content_type: str = "application/json") -> Respond:
    def respond(h: BaseHTTPRequestHandler, _: Server) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return respond


def slow_loris(*, headers_too: bool) -> Respond:
    """One byte a second, until released: the headers too (``headers_too``), or a body after them."""
    def respond(h: BaseHTTPRequestHandler, server: Server) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        if not headers_too:
            h.wfile.write(head)
            h.wfile.flush()
            head = b""
        for byte in (head + OK_VECTOR * 10000):
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            server.sent += 1
            if server.release.wait(1.0):
                h.close_connection = True  # the answer is cut short: hang up
                return
    return respond


def huge(size: int = 50 * MB, *, declared: bool = True, gzipped: bool = False) -> Respond:
    """A ``size``-byte JSON-ish body streamed until the client hangs up: with or without a
    Content-Length, or as a small gzip body that inflates to ``size``."""
    prefix = b'{"status":"success","data":{"resultType":"vector","result":['
    filler = b'{"metric":{"pod":"x"},"value":[1,"1"]},' * 1600  # ~64 KB

    def respond(h: BaseHTTPRequestHandler, server: Server) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        if gzipped:
            body = gzip.compress(prefix + filler * (size // len(filler)), compresslevel=9)
            h.send_header("Content-Encoding", "gzip")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            server.sent += len(body)
            return
        if declared:
            h.send_header("Content-Length", str(size))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        h.wfile.write(prefix)
        while server.sent < size and not server.release.is_set():
            h.wfile.write(filler)
            server.sent += len(filler)
    return respond


def fake_prometheus(alerts: list[dict] | None = None) -> Respond:
    """Canned answers to what warroom asks: build info, instant and range queries, alerts."""
    def respond(h: BaseHTTPRequestHandler, server: Server) -> None:
        path = h.path.split("?", 1)[0]
        if path == "/api/v1/status/buildinfo":
            body = {"status": "success", "data": {"version": "2.99.0"}}
        elif path == "/api/v1/query":
            body = {"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": {}, "value": [1795430340, "1.5"]}]}}
        elif path == "/api/v1/query_range":
            body = {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {}, "values": [[1795430340, "1.5"]]}]}}
        elif path == "/api/v1/alerts":
            body = {"status": "success", "data": {"alerts": alerts or []}}
        else:
            return reply(404, b"not found", "text/plain")(h, server)
        reply(200, json.dumps(body).encode())(h, server)
    return respond


@dataclass(frozen=True)
class Pki:
    ca_file: Path  # the CA that signed the server's certificate
    other_ca_file: Path  # a valid CA bundle that did not (what a wrong environment variable names)
    server: ssl.SSLContext  # the server side, with its certificate for 127.0.0.1


def make_pki(folder: Path) -> Pki:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def ca(text: str):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(text)).issuer_name(name(text))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                             crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return key, cert

    ca_key, ca_cert = ca("warroom test CA")
    _, other_cert = ca("some other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "other-ca.pem").write_bytes(other_cert.public_bytes(pem))
    (folder / "server.pem").write_bytes(cert.public_bytes(pem))
    (folder / "server.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "server.pem", folder / "server.key")
    return Pki(folder / "ca.pem", folder / "other-ca.pem", server)
