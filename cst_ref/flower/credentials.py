"""TLS certificates and SuperNode keys for a Flower deployment, made on the spot.

A deployment's SuperLink serves TLS with a certificate signed by a CA of its own, and every
SuperNode proves who it is with an EC key registered at the SuperLink beforehand. Nothing is
kept between runs: each deployment makes fresh material in its own folder, so no key or
certificate is ever committed, and a certificate names exactly the addresses it is served on.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOCAL_HOSTS = ("127.0.0.1", "localhost")
"""What a certificate names by default: the SuperLink's own helper dials 127.0.0.1."""
VALIDITY = datetime.timedelta(days=2)
"""Long enough for any run; a leaked certificate of a finished run is soon worthless."""


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: the CA's certificate (clients trust it), the server's certificate and key."""

    ca: Path
    certificate: Path
    key: Path


@dataclass(frozen=True)
class NodeKey:
    """A SuperNode's OpenSSH key pair: the private half stays with the node, the public is registered."""

    private: Path
    public: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _subject_alternative_names(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    """IP addresses as IP entries (TLS checks those against the dialled address), the rest as DNS names."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, encoding: serialization.PrivateFormat) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, encoding, serialization.NoEncryption()))
    path.chmod(0o600)


def make_tls(directory: Path, hosts: Sequence[str] = LOCAL_HOSTS) -> TlsFiles:
    """A CA and a server certificate it signs for ``hosts`` (IPs or DNS names), written to ``directory``."""
    if not hosts:
        raise ValueError("the server certificate must name at least one host")
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + VALIDITY  # a little slack for clock skew
    ca_key = ec.generate_private_key(ec.SECP384R1())
    ca_name = _name("cst-ref deployment CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign and crl_sign only
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    server_key = ec.generate_private_key(ec.SECP384R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(_subject_alternative_names(hosts), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    files = TlsFiles(directory / "ca.crt", directory / "server.crt", directory / "server.key")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.certificate.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    _write_key(files.key, server_key, serialization.PrivateFormat.PKCS8)
    return files


def make_node_key(path: Path) -> NodeKey:
    """A NIST P-384 key in OpenSSH format at ``path``, its public half at ``path``.pub (as ssh-keygen writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP384R1())
    _write_key(path, key, serialization.PrivateFormat.OpenSSH)
    public = path.with_name(path.name + ".pub")
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH) + b"\n"
    )
    return NodeKey(path, public)
