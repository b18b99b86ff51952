"""The webhook sender against real receivers on this machine (plain HTTP, TLS, a forward proxy),
with the resolver injected so that names we control point where a test wants: a name resolving
to a private address is refused when private addresses are not allowed; the name is resolved
once, and the connection goes to the address that was resolved (and checked) while the request
keeps the URL's Host header and TLS server name."""
from __future__ import annotations

import datetime
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.suite import free_port
from notifier_service.domain import FAILED, RETRY, SENT
from notifier_service.senders import WebhookSender

SECRET = "whsec-test"
NAME = "hooks.bank.example"   # not in any DNS: only our resolver knows it


class Resolver:
    """Answers for the names it is given, counting the questions; any other name does not exist."""

    def __init__(self, **answers: list[str]):
        self.answers = {name.replace("_", "."): list(addresses) for name, addresses in answers.items()}
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def resolver(name: str, *addresses: str) -> Resolver:
    resolve = Resolver()
    resolve.answers[name] = list(addresses)
    return resolve


def send(sender: WebhookSender, url: str):
    return sender.send(url, SECRET, "event-1", b'{"id": "event-1"}')


# --- receivers ----------------------------------------------------------------------------------

class Receiver:
    """Records what reached it (Host header, TLS server name) and answers 204."""

    def __init__(self, host: str = "127.0.0.1", tls: tuple[str, str] | None = None):
        self.host = host
        self.port = free_port()
        self.requests: list[dict] = []
        self.server_names: list[str | None] = []
        context = None
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
        self._server = make_server(host, self.port, self._app, threaded=True, ssl_context=context)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _app(self, environ, start_response):
        request = Request(environ)
        self.requests.append({"host": request.headers.get("Host"), "path": request.full_path.rstrip("?"),
                              "signature": request.headers.get("X-Egov-Signature")})
        return Response(status=204)(environ, start_response)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A CA and a server certificate for NAME only, signed by it."""
    folder = tmp_path_factory.mktemp("webhook-tls")
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, key, issuer, issuer_key, *, ca: bool, names=()):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                            critical=False)
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                decipher_only=False), critical=True)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "webhook test CA")])
    ca_cert = certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)]), key, ca_name, ca_key,
                       ca=False, names=[NAME])
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "server.pem").write_bytes(cert.public_bytes(pem))
    (folder / "server.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return {name: str(folder / name) for name in ("ca.pem", "server.pem", "server.key")}


# --- private addresses --------------------------------------------------------------------------

def test_a_name_resolving_to_a_private_address_is_refused_when_private_addresses_are_not_allowed(receiver):
    url = f"http://{NAME}:{receiver.port}/hooks/egov"
    for addresses in (["127.0.0.1"], ["93.184.215.14", "127.0.0.1"], ["2002:7f00:1::"], ["::ffff:127.0.0.1"]):
        refused = send(WebhookSender(allow_private=False, resolve=resolver(NAME, *addresses)), url)
        assert (refused.result, refused.error) == (FAILED, "webhook_url_private"), addresses
    # A literal private address, too, without asking any resolver.
    resolve = Resolver()
    refused = send(WebhookSender(allow_private=False, resolve=resolve), f"http://127.0.0.1:{receiver.port}/hooks/egov")
    assert (refused.result, refused.error) == (FAILED, "webhook_url_private") and resolve.asked == []
    assert receiver.requests == []
    # The same receiver is reached once private addresses are allowed (local work): the refusals
    # above were the check's, not an unreachable receiver.
    sent = send(WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.1")), url)
    assert sent.result == SENT and len(receiver.requests) == 1


def test_a_name_that_does_not_resolve_is_retried_not_given_up(receiver):
    sender = WebhookSender(allow_private=False, resolve=Resolver())
    outcome = send(sender, f"http://{NAME}:{receiver.port}/hooks/egov")
    assert (outcome.result, outcome.error) == (RETRY, "webhook_url_unresolvable")


# --- one resolution, the checked address --------------------------------------------------------

def test_the_connection_goes_to_the_resolved_address_with_the_urls_host_header(receiver):
    resolve = resolver(NAME, "127.0.0.1")
    sender = WebhookSender(allow_private=True, resolve=resolve)
    url = f"http://{NAME}:{receiver.port}/hooks/egov?institution=bank"
    assert send(sender, url).result == SENT
    # NAME exists in no DNS: the request can only have come over the address our resolver gave.
    assert receiver.requests[0]["host"] == f"{NAME}:{receiver.port}"
    assert receiver.requests[0]["path"] == "/hooks/egov?institution=bank"
    assert receiver.requests[0]["signature"].startswith("sha256=")


def test_the_name_is_resolved_once_so_a_second_answer_cannot_redirect_the_delivery(receiver):
    class Rebinding(Resolver):
        """First the receiver's address, then somewhere else (nothing listens on 127.0.0.2 there)."""

        def __call__(self, host):
            self.asked.append(host)
            return ["127.0.0.1"] if len(self.asked) == 1 else ["127.0.0.2"]

    resolve = Rebinding()
    sender = WebhookSender(allow_private=True, resolve=resolve)
    url = f"http://{NAME}:{receiver.port}/hooks/egov"
    assert [send(sender, url).result for _ in range(3)] == [SENT, SENT, SENT]
    assert resolve.asked == [NAME] and len(receiver.requests) == 3
    # Once the resolution is old, the name is asked again, and the new answer is what is used.
    sender.RESOLVE_TTL = 0
    outcome = send(sender, url)
    assert resolve.asked == [NAME, NAME]
    assert outcome.result == RETRY and len(receiver.requests) == 3


def test_every_checked_address_is_tried_in_turn(receiver):
    # Nothing listens on 127.0.0.2 at the receiver's port: the next address gets the delivery.
    sender = WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.2", "127.0.0.1"))
    assert send(sender, f"http://{NAME}:{receiver.port}/hooks/egov").result == SENT
    assert len(receiver.requests) == 1


# --- TLS: the server name and the certificate are the URL's -------------------------------------

def test_https_keeps_the_server_name_and_verifies_the_certificate_against_it(tls_files):
    tls = Receiver(tls=(tls_files["server.pem"], tls_files["server.key"]))
    try:
        sender = WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.1"), ca_certs=tls_files["ca.pem"])
        assert send(sender, f"https://{NAME}:{tls.port}/hooks/egov").result == SENT
        assert tls.server_names == [NAME]
        assert tls.requests[0]["host"] == f"{NAME}:{tls.port}"
        # Another name pointing at the same address does not match the certificate: not sent.
        other = WebhookSender(allow_private=True, resolve=resolver("other.example", "127.0.0.1"),
                              ca_certs=tls_files["ca.pem"])
        refused = send(other, f"https://other.example:{tls.port}/hooks/egov")
        assert refused.result == RETRY and refused.error == "SSLError"
        # Nor is a certificate of a CA we do not trust accepted.
        untrusting = WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.1"))
        assert send(untrusting, f"https://{NAME}:{tls.port}/hooks/egov").error == "SSLError"
        assert len(tls.requests) == 1
    finally:
        tls.stop()


# --- through a forward proxy, the target is still the checked address ---------------------------

class ForwardProxy:
    """A minimal HTTP forward proxy: records each request line and Host header; plain requests are
    answered 204 by the proxy itself, CONNECT tunnels are piped to the target."""

    def __init__(self):
        self.lines: list[tuple[str, str | None]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket):
        with client:
            reader = client.makefile("rb")
            line = reader.readline().decode().strip()
            headers = {}
            while (header := reader.readline().decode().strip()):
                key, _, value = header.partition(":")
                headers[key.strip().lower()] = value.strip()
            self.lines.append((line, headers.get("host")))
            method, target, _ = line.split(" ", 2)
            if method != "CONNECT":
                reader.read(int(headers.get("content-length", "0")))
                client.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            with socket.create_connection((host.strip("[]"), int(port))) as upstream:
                # The client speaks TLS only once told the tunnel is up: nothing is buffered yet.
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

                def pipe(source, sink):
                    try:
                        while (chunk := source.recv(65536)):
                            sink.sendall(chunk)
                    except OSError:
                        pass
                    finally:
                        try:
                            sink.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
                back.start()
                pipe(client, upstream)
                back.join(5)

    def stop(self):
        self._listener.close()


@pytest.fixture
def proxy(monkeypatch):
    running = ForwardProxy()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{running.port}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield running
    running.stop()


def test_through_a_proxy_plain_http_names_the_checked_address_and_keeps_the_host(proxy):
    sender = WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.1"))
    assert send(sender, f"http://{NAME}:8099/hooks/egov?x=1").result == SENT
    assert proxy.lines == [("POST http://127.0.0.1:8099/hooks/egov?x=1 HTTP/1.1", f"{NAME}:8099")]


def test_through_a_proxy_https_tunnels_to_the_checked_address_with_the_urls_server_name(proxy, tls_files):
    tls = Receiver(tls=(tls_files["server.pem"], tls_files["server.key"]))
    try:
        sender = WebhookSender(allow_private=True, resolve=resolver(NAME, "127.0.0.1"), ca_certs=tls_files["ca.pem"])
        assert send(sender, f"https://{NAME}:{tls.port}/hooks/egov").result == SENT
        assert proxy.lines[0][0].startswith(f"CONNECT 127.0.0.1:{tls.port} HTTP/")
        assert tls.server_names == [NAME] and tls.requests[0]["host"] == f"{NAME}:{tls.port}"
    finally:
        tls.stop()
