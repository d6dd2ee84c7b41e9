"""TLS towards Keystone: ``[clients_keystone]`` / ``[ec2authtoken]`` ``ca_file`` and ``insecure``.

Deferred auth (trusts), the stack domain admin and heat-api-cfn's ``/v3/ec2tokens`` checks all
verify Keystone's certificate the same way; the last is driven here against a real HTTPS
server whose certificate only a private CA bundle vouches for.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from oslo_config import cfg

from calor.api.cfn.errors import ServiceUnavailable
from calor.api.cfn.signatures import Ec2Request, KeystoneVerifier
from calor.config import keystone_verify, load_config
from calor.security.deferred_auth import deferred_auth_from_config
from calor.stack_domain.options import settings_from_config

LOOPBACK = ipaddress.ip_address("127.0.0.1")
TOKEN = {"user": {"id": "u1", "name": "demo"}, "project": {"id": "p1"}, "roles": [{"name": "member"}]}


def conf_with(tmp_path: Path, text: str) -> cfg.ConfigOpts:
    path = tmp_path / "heat.conf"
    path.write_text(text)
    return load_config(config_files=[str(path)])


def test_verification_follows_clients_keystone_and_ec2authtoken(tmp_path: Path) -> None:
    assert keystone_verify(conf_with(tmp_path, "")) is True
    conf = conf_with(tmp_path, "[clients_keystone]\nca_file = /etc/heat/ca.pem\n")
    assert keystone_verify(conf) == "/etc/heat/ca.pem"
    assert keystone_verify(conf, "ec2authtoken") == "/etc/heat/ca.pem"  # falls back
    conf = conf_with(
        tmp_path, "[clients_keystone]\nca_file = /etc/heat/ca.pem\n[ec2authtoken]\nca_file = /etc/ec2.pem\n"
    )
    assert keystone_verify(conf, "ec2authtoken") == "/etc/ec2.pem"
    assert keystone_verify(conf_with(tmp_path, "[ec2authtoken]\ninsecure = true\n"), "ec2authtoken") is False
    assert keystone_verify(conf_with(tmp_path, "[clients_keystone]\ninsecure = true\n")) is False


def test_deferred_auth_and_the_stack_domain_use_the_bundle(tmp_path: Path) -> None:
    conf = conf_with(
        tmp_path,
        "[DEFAULT]\nauth_strategy = keystone\nstack_user_domain_name = heat\nstack_domain_admin = admin\n"
        "stack_domain_admin_password = secret\n"
        "[clients_keystone]\nauth_uri = https://keystone:5000\nca_file = /etc/heat/ca.pem\n"
        "[trustee]\nauth_type = password\nauth_url = https://keystone:5000\nusername = heat\npassword = s\n",
    )
    deferred = deferred_auth_from_config(conf)
    assert deferred is not None and deferred.settings.verify == "/etc/heat/ca.pem"
    assert deferred.settings.trustee is not None and deferred.settings.trustee.verify == "/etc/heat/ca.pem"
    domain = settings_from_config(conf)
    assert domain is not None and domain.verify == "/etc/heat/ca.pem"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A CA-less self-signed certificate for 127.0.0.1: ``(certificate, key)`` files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keystone.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "keystone.pem", directory / "keystone.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate_path, key_path


class _Ec2Tokens(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"token": TOKEN}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Subject-Token", "token-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments: object) -> None:
        return


@pytest.fixture
def https_keystone(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    certificate, key = _certificate(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ec2Tokens)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/v3", certificate
    server.shutdown()
    server.server_close()


def _request() -> Ec2Request:
    return Ec2Request("key", "", "host", "POST", "/v1", {"Signature": "c2ln"}, {}, None)


def test_ec2tokens_checks_trust_the_configured_bundle(https_keystone: tuple[str, Path]) -> None:
    url, certificate = https_keystone
    principal = KeystoneVerifier(url, verify=str(certificate)).verify(_request())
    assert (principal.user_id, principal.project_id, principal.token) == ("u1", "p1", "token-1")
    assert KeystoneVerifier(url, verify=False).verify(_request()).user_id == "u1"
    with pytest.raises(ServiceUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        KeystoneVerifier(url).verify(_request())  # the system's CAs do not know this certificate
